"""``POST /assistant``: a customer's message -> a grounded answer with its sources, and
``GET /assistant/knowledge``: what the assistant knows besides the catalog."""

from __future__ import annotations

import time
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from shopmind.assistant import Ask, LiveAssistant
from shopmind.errors import StoreError
from shopmind.serve.arms import Arms, answered
from shopmind.serve.deps import Ranking, SettingsDep, StoreDep, ranker_on, ranking
from shopmind.serve.schemas import plain_json

router = APIRouter(tags=["assistant"])

ASSISTANT_FIXES = {
    "session": "give a session id of 1-128 characters; reuse it for the next turn",
    "message": "give the customer's message (1 to assistant.max_message_chars characters)",
    "product": "give the id of the product whose page the customer is on, or leave it out",
    "user": "give the customer's user_id, or leave it out for an anonymous visitor",
}


class AssistantIn(BaseModel):
    """One message of a conversation."""

    session: str = Field(min_length=1, max_length=128, description="The conversation's id")
    message: str = Field(min_length=1, max_length=20_000, description="What the customer wrote")
    product: str | None = Field(default=None, max_length=256, description="The page's product")
    user: str | None = Field(default=None, max_length=256, description="The customer's user_id")


def live_assistant(request: Request) -> LiveAssistant:
    """The app's assistant; 503 while the app is starting or stopping."""
    live = getattr(request.app.state, "assistant", None)
    if live is None:
        raise StoreError("the assistant is not loaded yet (the server is starting)")
    return cast(LiveAssistant, live)


@router.post("/assistant", response_class=JSONResponse)
async def assistant(
    request: Request, body: AssistantIn, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    """Answer one message: ``answer``, ``intent`` (find, product, compare, policy, order,
    handoff, other), ``confidence`` in [0, 1], ``citations`` (kind product, doc or qa; id;
    the text used), ``products`` (for shopping turns: ranked, with reasons trees),
    ``handoff`` (a person should take over) and ``reasons``. The conversation is kept per
    ``session`` (it expires after ``assistant.session_minutes`` idle); a session opened by
    one ``user`` is refused to another (409). Like the list routes, the answer has a
    ``request_id`` and each product its ``position`` and ``propensity``."""
    started = time.perf_counter()
    live = live_assistant(request)
    visitor = body.user if body.user is not None else f"~{body.session}"
    ranked = ranker_on(request, settings)

    def run() -> dict[str, Any]:
        stage = ranking(request, settings, store, visitor, 1) if ranked else Ranking()
        reply = live.current().reply(
            Ask(body.session, body.message, body.product, body.user), stage.reorder
        )
        answer = reply.as_dict(body.session)
        products = [dict(p) for p in answer.get("products") or []]
        answer["products"] = products
        head = answered(request, settings, "/assistant", visitor, body.message,
                        Arms(settings), products, started)  # fmt: skip
        return {**head, **answer}

    return plain_json(await run_in_threadpool(run))


@router.get("/assistant/knowledge")
async def knowledge(store: StoreDep) -> dict[str, Any]:
    """How many pages, passages and past answers the assistant can draw on."""
    return await run_in_threadpool(store.count_knowledge)
