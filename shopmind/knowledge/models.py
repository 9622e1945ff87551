"""What the assistant knows besides the catalog: passages of the shop's pages and the
questions customers asked before, with the answers they were given."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Id = Annotated[str, StringConstraints(min_length=1, max_length=256, strip_whitespace=True)]
Question = Annotated[str, StringConstraints(min_length=1, max_length=5_000, strip_whitespace=True)]
AnswerText = Annotated[
    str, StringConstraints(min_length=1, max_length=20_000, strip_whitespace=True)
]

# Amazon's answerTime ("Nov 4, 2014"), its multi-answer release ("June 29, 2014")
_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S")


class Passage(BaseModel):
    """One passage of a shop document: ``id`` is ``DOC#POSITION``."""

    model_config = ConfigDict(frozen=True)

    id: str
    doc: str
    position: int
    title: str
    text: str
    source: str
    url: str | None = None


class PastAnswer(BaseModel):
    """A question a customer asked and the answer the shop (or another customer) gave.

    ``product_id`` ties it to a product (Amazon's ``asin``); ``time`` is epoch seconds, an
    ISO-8601 time or a date like ``Nov 4, 2014``. Without an ``id`` one is made from the
    product, question and answer, so loading the same file twice stores nothing new.
    """

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    id: Id | None = None
    question: Question
    answer: AnswerText
    product_id: Id | None = None
    time: float | None = Field(default=None, allow_inf_nan=False)

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int | float):
            return float(value)
        text = str(value).strip()
        try:
            return float(text)
        except ValueError:
            pass
        try:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in _DATE_FORMATS:
                try:
                    stamp = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(f"cannot read {text!r} as a time") from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return stamp.timestamp()

    @property
    def key(self) -> str:
        """The stored id: the given one, else a hash of product, question and answer."""
        return self.id or answer_id(self.product_id, self.question, self.answer)


def answer_id(product_id: str | None, question: str, answer: str) -> str:
    """A stable id for a past answer that came without one."""
    digest = hashlib.sha1(
        "\x1f".join((product_id or "", question, answer)).encode("utf-8")
    ).hexdigest()
    return f"qa-{digest[:16]}"


ANSWER_FIELDS: tuple[str, ...] = tuple(PastAnswer.model_fields)

# columns that mean a field when a file does not name it (Amazon QA, Taobao-style logs)
ANSWER_ALIASES: dict[str, tuple[str, ...]] = {
    "question": ("query", "q", "问题", "question_text"),
    "answer": ("reply", "response", "a", "回答", "答案", "answer_text"),
    "product_id": ("asin", "item_id", "product", "sku", "商品id"),
    "time": ("unixtime", "answertime", "timestamp", "ts", "date", "questiontime"),
    "id": ("qa_id", "answer_id"),
}

ANSWER_FIXES: dict[str, str] = {
    "question": "give the customer's question (a 'question' column; map another with "
    "--map question=COLUMN)",
    "answer": "give the answer that was given (an 'answer' column; map another with "
    "--map answer=COLUMN)",
    "product_id": "give the product id the question is about, or leave it empty",
    "time": "use epoch seconds, an ISO-8601 time or a date like 'Nov 4, 2014'",
    "id": "give a unique id per answer, or leave it empty to have one made",
}
