"""The assistant: a customer's message in, a grounded answer out, with its sources.

Each message is read (:mod:`~shopmind.assistant.understand`), then answered from what the
shop knows: the catalog's fields for a question about a product
(:mod:`~shopmind.assistant.facts`), the best past answer to a like question (same product
first, then products of its category, then any), the passage of the shop's pages that
answers a policy question, and search results (through the ranker, with their reasons) for
a shopping request, refined turn by turn. Every answer carries citations and a confidence;
below ``assistant.min_confidence`` the assistant says it does not know and offers a person.
An optional generator may rephrase the grounded answer, never add to it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from shopmind.assistant.evidence import Evidence, excerpt, passages, past_answers
from shopmind.assistant.facts import asked_topics, product_facts
from shopmind.assistant.generator import Generator
from shopmind.assistant.knowledge import KnowledgeIndex
from shopmind.assistant.replies import Replies
from shopmind.assistant.session import Conversation, Sessions, Turn
from shopmind.assistant.understand import Understanding, Wants, colour_of, understand
from shopmind.catalog import Product
from shopmind.config import AssistantConfig
from shopmind.errors import InvalidInput, RowError
from shopmind.explain import Node
from shopmind.search import Filters, Reorder, SearchEngine
from shopmind.store import Store

logger = logging.getLogger(__name__)

_MODEL_CODE = re.compile(r"\b(?=[A-Za-z0-9\-]*\d)(?=[A-Za-z0-9\-]*[A-Za-z])[A-Za-z0-9\-]{2,}\b")
OTHER_PRODUCT = 0.9  # a past answer about another product counts this share of its confidence
PAGE_FOR_PRODUCT = 0.75  # a shop page answering a question about one product counts this
# share of its confidence: the page is about the shop, not the product
FACT_CONFIDENCE = 0.95  # a catalog field that answers the question
SHOP_TOPICS = frozenset({"warranty"})  # product topics the shop's pages may answer
NOT_SOLD_CONFIDENCE = 0.8  # nothing in the catalog matches what was asked for


@dataclass(frozen=True)
class Ask:
    """One message to the assistant."""

    session: str
    message: str
    product: str | None = None  # the product page the visitor is on
    user: str | None = None


@dataclass
class Reply:
    """The answer to one message (``as_dict`` is the wire form of ``POST /assistant``)."""

    answer: str
    intent: str
    confidence: float
    language: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    handoff: bool = False
    reasons: Node = field(default_factory=lambda: Node("assistant"))
    constraints: dict[str, Any] = field(default_factory=dict)
    generated: bool = False

    def as_dict(self, session: str) -> dict[str, Any]:
        """The JSON form."""
        return {
            "session": session,
            "answer": self.answer,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "language": self.language,
            "citations": self.citations,
            "products": self.products,
            "handoff": self.handoff,
            "constraints": self.constraints,
            "generated": self.generated,
            "reasons": self.reasons.as_dict(),
        }


class Assistant:
    """Answers messages from the store's catalog and knowledge and the search engine.

    Args:
        store: products are read from it.
        search: the search engine serving now (shopping turns, product mentions).
        knowledge: the indexed passages and past answers.
        config: the ``[assistant]`` settings.
        generator: an optional rephrasing endpoint.
    """

    def __init__(
        self,
        store: Store,
        search: SearchEngine,
        knowledge: KnowledgeIndex,
        config: AssistantConfig,
        generator: Generator | None = None,
        sessions: Sessions | None = None,
    ) -> None:
        self.store = store
        self.search = search
        self.knowledge = knowledge
        self.config = config
        self.generator = generator
        self.sessions = sessions or Sessions(config.session_minutes, config.max_sessions)

    # -- the turn -----------------------------------------------------------------------------
    def reply(self, ask: Ask, reorder: Reorder | None = None) -> Reply:
        """Answer one message (reads the store and encodes text: call it off the event loop).

        Raises:
            InvalidInput: the message is empty or too long, or the session id is bad.
            NotFound: ``ask.product`` is not in the catalog.
            Conflict: the session belongs to another visitor.
        """
        message = self._check(ask)
        if ask.product is not None:
            self.store.get_product(ask.product)  # NotFound names it
        convo = self.sessions.open(ask.session, ask.user)
        if ask.product is not None:
            convo.focus = ask.product
        understood = understand(message, convo.focus is not None, bool(convo.shown))
        words = Replies(understood.language)
        reply = self._answer(message, understood, convo, words, reorder)
        reply.constraints = understood.constraints.as_dict()
        if reply.confidence < self.config.min_confidence and not reply.handoff:
            reply = self._dont_know(reply, words)
        if self.generator is not None and not reply.handoff and reply.citations:
            self._rephrase(message, reply)
        shown = [p["id"] for p in reply.products]
        if shown:
            convo.shown = shown
        if len(shown) == 1:
            convo.focus = shown[0]
        convo.remember(Turn(message, reply.intent, understood.topic, shown))
        return reply

    def _check(self, ask: Ask) -> str:
        errors = []
        message = ask.message.strip()
        if not message:
            errors.append(RowError(1, "message", "the message is empty", "send the question"))
        elif len(message) > self.config.max_message_chars:
            errors.append(
                RowError(
                    1,
                    "message",
                    f"the message has {len(message)} characters",
                    f"send at most {self.config.max_message_chars} characters",
                )
            )
        if not ask.session.strip() or len(ask.session) > 128:
            errors.append(
                RowError(1, "session", "the session id is empty or too long", "use 1-128 chars")
            )
        if errors:
            raise InvalidInput(errors, source="assistant request")
        return message

    def _answer(
        self,
        message: str,
        u: Understanding,
        convo: Conversation,
        words: Replies,
        reorder: Reorder | None,
    ) -> Reply:
        if u.intent == "handoff":
            return Reply(words.handoff(), u.intent, 1.0, u.language, handoff=True)
        if u.intent == "order":
            return Reply(words.order(), u.intent, 1.0, u.language, handoff=True)
        if u.intent == "find":
            return self._find(u, convo, words, reorder)
        had_focus = convo.focus is not None
        focus = self._focus(message, u, convo)
        if u.intent == "other" and focus is not None and not had_focus:
            u = replace(u, intent="product")  # it names a product ("is the NC700 waterproof?")
        if u.intent == "compare":
            return self._compare(u, convo, words)
        vector = self.knowledge.encoder.encode_query([message])[0]
        if u.intent == "policy":
            return self._from_knowledge(message, vector, u, None, words, docs_first=True)
        if u.intent == "product" and focus is not None:
            return self._about_product(message, vector, u, focus, words)
        if u.refers_to_product and focus is None and u.intent in ("product", "other"):
            # "is this one waterproof?" with no product in view: ask which, do not guess
            return Reply(words.which_product(), "product", 1.0, u.language)
        reply = self._from_knowledge(message, vector, u, focus, words, docs_first=False)
        if reply.confidence < self.config.min_confidence and u.intent == "other":
            found = self._find(u, convo, words, reorder)
            if found.products:
                return found
        return reply

    # -- products ----------------------------------------------------------------------------
    def _focus(self, message: str, u: Understanding, convo: Conversation) -> Product | None:
        """The product meant: the n-th shown, a model code in the message, or the one in view."""
        if u.ordinal is not None and 0 < u.ordinal <= len(convo.shown):
            convo.focus = convo.shown[u.ordinal - 1]
        else:
            mentioned = self._mentioned(message)
            if mentioned is not None:
                convo.focus = mentioned
        if convo.focus is None:
            return None
        return self.store.get_products([convo.focus]).get(convo.focus)

    def _mentioned(self, message: str) -> str | None:
        """A product the message names by a model code that one title alone carries."""
        codes = [c for c in _MODEL_CODE.findall(message) if not c.isdigit()]
        for code in codes:
            ids, _ = self.search.index.search(code, k=2)
            if len(ids) == 1:
                return ids[0]
        return None

    def _about_product(
        self, message: str, vector: np.ndarray, u: Understanding, product: Product, words: Replies
    ) -> Reply:
        reasons = Node(f"about {product.id}")
        facts = product_facts(message, product)
        if facts:
            for fact in facts:
                reasons.add(f"catalog field {fact.field} = {fact.value}")
            answer = words.fact(product.title, [f.answer for f in facts])
            cites = [
                {"kind": "product", "id": product.id, "text": f"{f.field}: {f.value}",
                 "title": product.title}
                for f in facts
            ]  # fmt: skip
            zh = u.language == "zh"
            own = past_answers(self.knowledge, vector, product.id, (), k=1, zh=zh)
            confident = self.config.min_confidence
            if own and own[0].product_id == product.id and own[0].confidence >= confident:
                answer = words.also_asked(answer, own[0].question, own[0].text)
                cites.append(_qa_citation(own[0]))
                reasons.add(f"past answer {own[0].id}", own[0].confidence)
            return Reply(answer, "product", FACT_CONFIDENCE, u.language, cites, reasons=reasons)
        reply = self._from_knowledge(message, vector, u, product, words, docs_first=False)
        topics = asked_topics(message)
        from_page = bool(reply.citations) and reply.citations[0]["kind"] == "doc"
        if any(t.name in SHOP_TOPICS for t in topics):
            from_page = False  # the shop's pages state its warranty for every product
        if topics and (reply.confidence < self.config.min_confidence or from_page):
            # a known topic the catalog does not list for this product: say so, offer a person
            names = [t.zh if u.language == "zh" else t.name for t in topics]
            reasons.add(f"no catalog field for: {', '.join(names)}")
            cite = {"kind": "product", "id": product.id, "text": product.title,
                    "title": product.title}  # fmt: skip
            return Reply(
                words.not_listed(product.title, names), "product", 1.0, u.language, [cite],
                handoff=True, reasons=reasons,
            )  # fmt: skip
        return reply

    def _related(self, product: Product | None) -> list[str]:
        """Products of the same category that past answers are about."""
        if product is None or not product.category:
            return []
        return self.knowledge.asked_in.get(product.category, [])

    def _from_knowledge(
        self,
        message: str,
        vector: np.ndarray,
        u: Understanding,
        product: Product | None,
        words: Replies,
        docs_first: bool,
    ) -> Reply:
        pid = product.id if product is not None else None
        zh = u.language == "zh"
        qa = past_answers(self.knowledge, vector, pid, self._related(product), k=3, zh=zh)
        docs = passages(self.knowledge, vector, message, k=3, zh=zh)
        best_qa = qa[0] if qa else None
        if best_qa is not None and pid is not None and best_qa.product_id != pid:
            best_qa = _scaled(best_qa, OTHER_PRODUCT)
        best_doc = docs[0] if docs else None
        reasons = Node("knowledge")
        for e in qa[:3]:
            reasons.add(f"past answer {e.id} (question similarity)", e.confidence)
        for e in docs[:3]:
            reasons.add(f"passage {e.id}", e.confidence)
        pick: Evidence | None
        if best_doc is not None and best_qa is not None:
            if docs_first:
                pick = best_doc if best_doc.confidence + 0.1 >= best_qa.confidence else best_qa
            elif pid is not None and best_qa.confidence >= self.config.min_confidence:
                pick = best_qa  # about a product: what was answered about it, or its kind
            else:
                pick = best_doc if best_doc.confidence > best_qa.confidence else best_qa
        else:
            pick = best_doc or best_qa
        if pick is None:
            return Reply("", u.intent, 0.0, u.language, reasons=reasons)
        if pick.kind == "doc" and pid is not None and not docs_first:
            pick = _scaled(pick, PAGE_FOR_PRODUCT)
        cite: dict[str, Any]
        if pick.kind == "doc":
            answer = words.passage(excerpt(pick.text, pick.highlight), pick.question)
            cite = {"kind": "doc", "id": pick.id, "text": pick.text, "title": pick.question,
                    "highlight": pick.highlight}  # fmt: skip
        else:
            same = pid is not None and pick.product_id == pid
            answer = words.past_answer(pick.text, same or pid is None)
            cite = _qa_citation(pick)
        reasons.label = f"knowledge: {pick.kind} {pick.id}"
        return Reply(answer, u.intent, pick.confidence, u.language, [cite], reasons=reasons)

    def _compare(self, u: Understanding, convo: Conversation, words: Replies) -> Reply:
        ids = convo.shown[:2] if len(convo.shown) >= 2 else []
        if convo.focus and convo.focus not in ids and convo.shown:
            ids = [convo.focus, next(i for i in convo.shown if i != convo.focus)]
        found = self.store.get_products(ids)
        products = [found[i] for i in ids if i in found]
        if len(products) < 2:
            return Reply(words.which_to_compare(), u.intent, 1.0, u.language)  # asking back
        keys = [k for k in products[0].attributes if all(k in p.attributes for p in products)]
        lines = [words.compare_line(p, keys) for p in products]
        cites = [{"kind": "product", "id": p.id, "text": lines[i], "title": p.title}
                 for i, p in enumerate(products)]  # fmt: skip
        reasons = Node("compare", children=[Node(f"product {p.id}") for p in products])
        return Reply(
            words.compare(lines), u.intent, FACT_CONFIDENCE, u.language, cites,
            [_card(p, Node(f"compared {p.id}")) for p in products], reasons=reasons,
        )  # fmt: skip

    # -- shopping -----------------------------------------------------------------------------
    def _find(
        self, u: Understanding, convo: Conversation, words: Replies, reorder: Reorder | None
    ) -> Reply:
        c = u.constraints
        refining = c.refines or (not u.topic and bool(convo.query))
        if u.topic and not (c.refines and len(u.topic) <= 3):
            if not refining:  # a new request: its own constraints only
                convo.wants, convo.currency = Wants(), None
            convo.query = u.topic
        if not convo.query:
            return Reply(words.what_to_find(), "find", 1.0, u.language)  # asking back
        want = convo.wants
        found = self.store.get_products(convo.shown) if c.refines else {}
        shown = {i: found[i] for i in convo.shown if i in found}
        if (c.cheaper or c.pricier) and shown:
            # than the typical price shown, in the currency of the first product shown
            currency = next(iter(shown.values())).currency
            prices = [
                p.price for p in shown.values() if p.price is not None and p.currency == currency
            ]
            if prices:
                middle = float(np.median(prices))
                convo.currency = currency
                if c.cheaper:
                    want.price_max, want.price_min = middle - 0.01, None
                else:
                    want.price_min, want.price_max = middle + 0.01, None
        if c.price_max is not None or c.price_min is not None:
            want.price_min, want.price_max = c.price_min, c.price_max
        if c.other_colour:
            for p in shown.values():
                want.colours_out += [x for x in colour_of(p.title) if x not in want.colours_out]
        want.brands_out += [b for b in c.brands_out if b not in want.brands_out]
        want.colours_out += [x for x in c.colours_out if x not in want.colours_out]
        if c.colours_in:
            want.colours_in = list(c.colours_in)
        if c.in_stock is not None:
            want.in_stock = c.in_stock
        filters = Filters(
            price_min=want.price_min, price_max=want.price_max, in_stock=want.in_stock
        )
        shows = self.config.products
        result = self.search.search(
            convo.query,
            k=shows * 8,
            filters=filters,
            reorder=reorder,
            candidates=max(200, shows * 8),
        )
        kept = [h for h in result.hits if _admitted(h.product, convo)][:shows]
        reasons = Node(f"shopping: {convo.query}")
        for label, value in _constraint_labels(convo):
            reasons.add(f"{label} {value}")
        if not kept:
            constrained = bool(_constraint_labels(convo))
            text = (
                words.nothing_matches(convo.query) if constrained else words.not_sold(convo.query)
            )
            confidence = NOT_SOLD_CONFIDENCE
            return Reply(text, "find", confidence, u.language, reasons=reasons)
        cards = [_card(h.product, h.reasons, h.score) for h in kept]
        cites = [{"kind": "product", "id": h.product.id, "text": h.product.title,
                  "title": h.product.title} for h in kept]  # fmt: skip
        answer = words.found(convo.query, [h.product for h in kept], _constraint_labels(convo))
        top = max(h.score for h in kept)
        return Reply(
            answer, "find", 0.9 if top > 0 else 0.6, u.language, cites, cards, reasons=reasons
        )

    # -- endings -------------------------------------------------------------------------------
    def _dont_know(self, reply: Reply, words: Replies) -> Reply:
        reasons = Node("below the confidence threshold", self.config.min_confidence)
        reasons.children.append(reply.reasons)
        return Reply(
            words.dont_know(), reply.intent, reply.confidence, reply.language,
            citations=[], products=reply.products, handoff=True, reasons=reasons,
        )  # fmt: skip

    def _rephrase(self, message: str, reply: Reply) -> None:
        assert self.generator is not None
        evidence = [c.get("text", "") for c in reply.citations]
        result = self.generator.rephrase(message, reply.answer, evidence, reply.language)
        reply.reasons.add(f"generator: {'used' if result.used else result.reason}")
        if result.used:
            reply.answer = result.text
            reply.generated = True


def _qa_citation(e: Evidence) -> dict[str, Any]:
    return {"kind": "qa", "id": e.id, "text": e.text, "question": e.question,
            "product_id": e.product_id}  # fmt: skip


def _scaled(e: Evidence, share: float) -> Evidence:
    return Evidence(
        e.kind, e.id, e.text, e.similarity, e.confidence * share, e.question, e.product_id,
        e.highlight, e.score,
    )  # fmt: skip


def _admitted(product: Product, convo: Conversation) -> bool:
    if convo.currency and product.currency and product.currency != convo.currency:
        return False
    want = convo.wants
    brand = (product.brand or "").lower()
    title = product.title.lower()
    for out in want.brands_out:
        if out.lower() == brand or out.lower() in title.split():
            return False
    colours = set(colour_of(product.title)) | {
        x for v in product.attributes.values() for x in colour_of(str(v))
    }
    if colours & set(want.colours_out):
        return False
    return not (want.colours_in and not colours & set(want.colours_in))


def _constraint_labels(convo: Conversation) -> list[tuple[str, str]]:
    want = convo.wants
    out = []
    if want.price_min is not None:
        out.append(("price ≥", f"{want.price_min:g}"))
    if want.price_max is not None:
        out.append(("price ≤", f"{want.price_max:g}"))
    out += [("not", b) for b in want.brands_out]
    out += [("not", c) for c in want.colours_out]
    out += [("colour", c) for c in want.colours_in]
    if want.in_stock:
        out.append(("in stock", "yes"))
    return out


def _card(product: Product, reasons: Node, score: float | None = None) -> dict[str, Any]:
    return {
        "id": product.id,
        "title": product.title,
        "price": product.price,
        "currency": product.currency,
        "category": product.category,
        "brand": product.brand,
        "in_stock": product.in_stock,
        "image_url": product.image_url,
        "score": None if score is None else round(score, 6),
        "reasons": reasons.as_dict(),
    }


__all__ = ["Ask", "Assistant", "Reply"]
