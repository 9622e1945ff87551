"""The shop's own knowledge beside its catalog: document passages and past answers.

``models`` holds the stored shapes (:class:`Passage`, :class:`PastAnswer`) and the field
fixes bad rows are reported with; ``docs`` splits a shop's pages (Markdown, HTML, text,
JSON Lines) into passages with ids.
"""

from shopmind.knowledge.docs import DOC_SUFFIXES, read_document, sentences, split_passages
from shopmind.knowledge.models import (
    ANSWER_ALIASES,
    ANSWER_FIELDS,
    ANSWER_FIXES,
    Passage,
    PastAnswer,
    answer_id,
)

__all__ = [
    "ANSWER_ALIASES",
    "ANSWER_FIELDS",
    "ANSWER_FIXES",
    "DOC_SUFFIXES",
    "Passage",
    "PastAnswer",
    "answer_id",
    "read_document",
    "sentences",
    "split_passages",
]
