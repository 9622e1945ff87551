"""Commands of the shop assistant: ``ingest docs``, ``ingest qa``, ``ask``, ``train assistant`` and
``evaluate assistant`` (registered on the groups of :mod:`shopmind.cli.core`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from shopmind.cli.core import (
    _Ctx,
    _emit,
    _ingest_options,
    _keep_run,
    evaluate,
    ingest,
    main,
    pass_ctx,
    train,
)


@ingest.command("docs")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="End with a JSON summary.")
@pass_ctx
def ingest_docs_cmd(obj: _Ctx, files: tuple[str, ...], as_json: bool) -> None:
    """Split the shop's pages (Markdown, HTML, text, JSONL) into passages for the assistant;
    a page ingested again replaces its passages. All pages or none."""
    from shopmind.ingest import ingest_documents

    with obj.store() as store:
        report = ingest_documents(
            store, files, obj.settings.ingest, obj.settings.assistant.passage_chars
        )
    _emit(report.as_dict(), as_json, report.render())


@ingest.command("qa")
@_ingest_options
@pass_ctx
def ingest_qa_cmd(
    obj: _Ctx, file: str, mapping: tuple[str, ...], skip_invalid: bool, as_json: bool
) -> None:
    """Add past customer questions and answers from FILE (question, answer, optional
    product_id/asin and time); the Amazon QA files load as they are."""
    from shopmind.ingest import ingest_answers

    with obj.store() as store:
        report = ingest_answers(
            store,
            file,
            obj.settings.ingest,
            mapping=mapping,
            skip_invalid=skip_invalid,
            reject_dir=obj.settings.home / "rejects",
        )
    _emit(report.as_dict(), as_json, report.render())


@main.command()
@click.argument("message")
@click.option("--session", default=None, help="Continue this conversation (kept in HOME).")
@click.option("--product", default=None, help="The product the customer is looking at.")
@click.option("--user", default=None, help="The customer's user id.")
@click.option("--json", "as_json", is_flag=True, help="End with the answer as JSON.")
@pass_ctx
def ask(
    obj: _Ctx,
    message: str,
    session: str | None,
    product: str | None,
    user: str | None,
    as_json: bool,
) -> None:
    """Ask the shop assistant MESSAGE, as POST /assistant does."""
    from shopmind.assistant import Ask, Assistant, KnowledgeIndex, assistant_encoder
    from shopmind.assistant.generator import Generator
    from shopmind.build import open_search

    settings = obj.settings
    name = session or "cli"
    saved = settings.home / "sessions" / f"{_safe(name)}.json"
    with obj.store() as store:
        engine = open_search(settings.home, store, settings.search)
        encoder = assistant_encoder(settings.assistant, engine, settings.home / "models")
        knowledge = KnowledgeIndex.from_store(
            store, encoder, settings.home / "cache" / "embeddings"
        )
        assistant = Assistant(
            store, engine, knowledge, settings.assistant, Generator.from_config(settings.assistant)
        )
        if session is not None:
            assistant.sessions.load(saved)
        reply = assistant.reply(Ask(name, message, product, user))
        if session is not None:
            saved.parent.mkdir(parents=True, exist_ok=True)
            assistant.sessions.save(name, saved)
    data = reply.as_dict(name)
    _emit(data, as_json, _render(data))


@train.command("assistant")
@click.option("--json", "as_json", is_flag=True, help="End with the training report as JSON.")
@pass_ctx
def train_assistant(obj: _Ctx, as_json: bool) -> None:
    """Tune the assistant's question-answer matcher (MiniLM) on the shop's past answers and
    serve it (HOME/models/ASSISTANT names it; search keeps its own encoder)."""
    from shopmind.embed.models import ModelRegistry
    from shopmind.train.matcher import train_matcher

    settings = obj.settings
    with obj.store() as store:
        rows = [a for batch in store.iter_answers() for a in batch]
    registry = ModelRegistry(settings.home / "models")
    info = train_matcher(rows, registry, settings.train, settings.ingest.progress)
    curve = info.report.get("curve", [])
    text = (
        f"matcher {info.name} tuned on {info.report.get('train_pairs', 0):,} pairs in "
        f"{info.report.get('seconds', 0)} s (held-out nDCG@10 "
        f"{info.report.get('untuned_ndcg@10', 0):.4f} -> {info.report.get('best_ndcg@10', 0):.4f}, "
        f"{len(curve)} checks); the assistant serves it"
    )
    _emit({"model": info.name, "encoder": info.encoder_name, **info.report}, as_json, text)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:100] or "session"


def _render(data: dict[str, Any]) -> str:
    lines = [data["answer"], ""]
    lines.append(
        f"intent {data['intent']} · confidence {data['confidence']:.2f}"
        + (" · hand-off offered" if data["handoff"] else "")
    )
    for c in data["citations"]:
        shown = c.get("highlight") or c.get("text", "")
        lines.append(f"  [{c['kind']} {c['id']}] {shown[:120]}")
    return "\n".join(lines)


@evaluate.command("assistant")
@click.option("--qa", "qa_file", required=True, type=click.Path(dir_okay=False),
              help="Questions with answers (Amazon QA: asin, question, answer) or a "
              "Taobao dialogue file (label, turns..., response).")  # fmt: skip
@click.option("--train-qa", "train_file", default=None, type=click.Path(dir_okay=False),
              help="Tune the question-answer matcher on this file's pairs first.")  # fmt: skip
@click.option("--off-shop", "off_file", default=None, type=click.Path(dir_okay=False),
              help="Questions of another shop: the confidence must tell them apart.")  # fmt: skip
@click.option("--encoder", default=None,
              help="The untuned encoder (default: minilm in English, use in Chinese).")  # fmt: skip
@click.option("--max-seconds", default=None, type=float, help="Cap on tuning time.")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@pass_ctx
def evaluate_assistant_cmd(
    obj: _Ctx,
    qa_file: str,
    train_file: str | None,
    off_file: str | None,
    encoder: str | None,
    max_seconds: float | None,
    as_json: bool,
) -> None:
    """Score the assistant's answers on real questions against BM25 and the untuned
    encoder: answer ranking (P@1, MRR), response selection (R10@1), abstention (AUROC)."""
    from shopmind.evaluate.assistant import evaluate_assistant, render

    settings = obj.settings
    train = settings.train
    if max_seconds is not None:
        train = train.model_copy(update={"max_seconds": max_seconds})
    result = evaluate_assistant(
        Path(qa_file),
        train_file=Path(train_file) if train_file else None,
        off_shop=Path(off_file) if off_file else None,
        encoder=encoder,
        train=train,
        models=settings.home / "models",
        progress=settings.ingest.progress,
    )
    _keep_run(
        settings.home,
        "assistant",
        {"qa": qa_file, "train_qa": train_file, "off_shop": off_file, "encoder": encoder},
        result,
    )
    _emit(result, as_json, render(result))
