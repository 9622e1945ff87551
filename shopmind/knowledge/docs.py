"""A shop's own pages (Markdown, HTML, plain text, JSON Lines) split into passages.

A page is cut at its headings into sections; a section longer than the passage limit is
cut between paragraphs, and a paragraph longer than it between sentences. Each passage
keeps the page title and its section heading (``Returns > Refunds``), so a passage read
alone still says what it is about. Ids are ``DOC#N``: the same file gives the same ids,
and ingesting a page again replaces all of its passages.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from shopmind.catalog.models import has_chinese
from shopmind.errors import InvalidFile
from shopmind.knowledge.models import Passage
from shopmind.sources.files import inner_suffix, is_gzip, open_text

DOC_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".txt", ".jsonl")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_SPACE = re.compile(r"[ \t]+")
_SLUG = re.compile(r"[^\w\-]+", re.UNICODE)

Section = tuple[str, str]  # heading path, body text


def read_document(path: Path, max_chars: int = 600) -> list[Passage]:
    """The passages of one page file (JSON Lines: one page per line).

    Raises:
        InvalidFile: the file is missing, of an unknown kind, empty, or a JSON line lacks
            ``text`` (the message names the line and the fix).
    """
    if not path.is_file():
        raise InvalidFile(f"{path}: no such file; give a Markdown, HTML, text or JSONL page")
    suffix = inner_suffix(path)
    if suffix not in DOC_SUFFIXES:
        raise InvalidFile(
            f"{path}: unknown kind of page '{suffix}'; use one of {', '.join(DOC_SUFFIXES)}"
        )
    try:
        with open_text(path, newline=None) as fh:
            raw = fh.read()
    except UnicodeDecodeError as err:
        raise InvalidFile(f"{path}: not UTF-8 text ({err}); save the page as UTF-8") from None
    except (OSError, EOFError) as err:
        raise InvalidFile(f"{path}: cannot be read ({err}); check the gzip file") from None
    stem = _stem(path)
    doc = slug(stem)
    if suffix == ".jsonl":
        return _jsonl_pages(path, raw, max_chars)
    if suffix in (".html", ".htm"):
        title, sections = _html_sections(raw)
    elif suffix == ".txt":
        title, sections = _text_sections(raw)
    else:
        title, sections = _markdown_sections(raw)
    passages = split_passages(doc, title or stem, sections, str(path), max_chars)
    if not passages:
        raise InvalidFile(f"{path}: the page has no text; remove it or add its content")
    return passages


def split_passages(
    doc: str,
    title: str,
    sections: list[Section],
    source: str,
    max_chars: int = 600,
    url: str | None = None,
) -> list[Passage]:
    """Cut sections into passages of at most ``max_chars`` characters (a longer sentence
    stays whole), numbered in reading order."""
    out: list[Passage] = []
    for heading, body in sections:
        label = f"{title} > {heading}" if heading and heading != title else title
        for chunk in _chunks(body, max_chars):
            out.append(
                Passage(
                    id=f"{doc}#{len(out) + 1}",
                    doc=doc,
                    position=len(out) + 1,
                    title=label,
                    text=chunk,
                    source=source,
                    url=url,
                )
            )
    return out


def sentences(text: str) -> list[str]:
    """The sentences of a passage: cut after . ! ? ; (before a space), after Chinese
    sentence marks, and at line ends (a list item or table row is one); markup trimmed."""
    out = []
    for piece in _SENTENCE_END.split(text):
        piece = piece.strip().strip("|").strip()
        piece = re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", piece)
        if piece and not re.fullmatch(r"[|\-:\s]+", piece):
            out.append(piece)
    return out


def _stem(path: Path) -> str:
    """The page's name: ``faq`` for ``faq.md`` and for ``faq.md.gz``."""
    return Path(path.stem).stem if is_gzip(path) else path.stem


def slug(name: str) -> str:
    """A document id from a file name or title (letters, digits, CJK, ``-`` and ``_``)."""
    value = _SLUG.sub("-", name.strip().lower()).strip("-")
    return value or "doc"


def _chunks(body: str, max_chars: int) -> list[str]:
    paragraphs = [_SPACE.sub(" ", p).strip() for p in re.split(r"\n\s*\n", body)]
    pieces: list[str] = []
    for para in (p for p in paragraphs if p):  # lines kept: list items and table rows
        if len(para) <= max_chars:
            pieces.append(para)
        else:
            pieces.extend(s.strip() for s in _SENTENCE_END.split(para) if s.strip())
    out: list[str] = []
    current = ""
    for piece in pieces:
        joined = f"{current}\n{piece}" if current else piece
        if current and len(joined) > max_chars:
            out.append(current)
            current = piece
        else:
            current = joined
    if current:
        out.append(current)
    return out


def tables_as_text(body: str) -> str:
    """Markdown tables as one line per row that names its columns: ``| Standard | 3-5 days |``
    under ``| Method | Time |`` reads ``Standard: Time 3-5 days`` (a row read alone still
    says what each cell is)."""
    lines = body.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("|") and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]):
            header = _cells(line)
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = _cells(lines[i])
                pairs = [f"{h} {c}" for h, c in zip(header[1:], cells[1:], strict=False) if c]
                zh = any(has_chinese(c) for c in cells)
                head, sep = ("：", "，") if zh else (": ", ", ")
                out.append(cells[0] + head + sep.join(pairs))
                i += 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _markdown_sections(raw: str) -> tuple[str, list[Section]]:
    raw = tables_as_text(raw)
    title = ""
    heads: list[str] = []
    sections: list[Section] = []
    body: list[str] = []

    def flush() -> None:
        text = "\n".join(body).strip()
        if text:
            sections.append((" > ".join(heads[1:] if title else heads), text))
        body.clear()

    for line in raw.splitlines():
        match = _HEADING.match(line)
        if match is None:
            body.append(line)
            continue
        flush()
        level, text = len(match.group(1)), match.group(2).strip()
        if level == 1 and not title:
            title = text
            heads = [text]
            continue
        depth = max(level - 1, 1) if title else level
        heads = [*heads[:depth], text]
    flush()
    return title, sections


def _text_sections(raw: str) -> tuple[str, list[Section]]:
    lines = [line for line in raw.splitlines()]
    first = next((line.strip() for line in lines if line.strip()), "")
    return first[:120], [("", raw)]


class _HTMLText(HTMLParser):
    """Heading-delimited text of an HTML page; script and style dropped."""

    _BLOCK: ClassVar[frozenset[str]] = frozenset(
        {"p", "div", "li", "br", "tr", "section", "article", "table", "ul", "ol"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.sections: list[Section] = []
        self._heading: str | None = None
        self._current = ""
        self._body: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "nav", "footer"):
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._heading = ""
        elif tag in self._BLOCK:
            self._body.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "nav", "footer"):
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            text = self._heading.strip()
            if tag == "h1" and not self.title:
                self.title = text
            else:
                self._current = text
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title = self.title or data.strip()
        elif self._heading is not None:
            self._heading += data
        else:
            self._body.append(data)

    def _flush(self) -> None:
        text = "".join(self._body).strip()
        if text:
            self.sections.append((self._current, text))
        self._body = []

    def close(self) -> None:
        super().close()
        self._flush()


def _html_sections(raw: str) -> tuple[str, list[Section]]:
    parser = _HTMLText()
    parser.feed(raw)
    parser.close()
    return parser.title, parser.sections


def _jsonl_pages(path: Path, raw: str, max_chars: int) -> list[Passage]:
    out: list[Passage] = []
    for line_no, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise InvalidFile(f"{path} line {line_no}: not valid JSON ({err.msg})") from None
        text = record.get("text") or record.get("body") or record.get("content")
        if not isinstance(record, dict) or not isinstance(text, str) or not text.strip():
            raise InvalidFile(
                f"{path} line {line_no}: field 'text' is missing or empty; give each page "
                'as {"id": ..., "title": ..., "text": ...}'
            )
        title = str(record.get("title") or f"{_stem(path)} {line_no}")
        doc = slug(str(record.get("id") or f"{_stem(path)}-{line_no}"))
        url = record.get("url")
        sections = _markdown_sections(text)[1] if "#" in text else [("", text)]
        out.extend(
            split_passages(
                doc, title, sections, f"{path}:{line_no}", max_chars, str(url) if url else None
            )
        )
    if not out:
        raise InvalidFile(f"{path}: no pages; write one JSON object per line with a 'text'")
    return out


__all__ = ["DOC_SUFFIXES", "read_document", "sentences", "slug", "split_passages", "tables_as_text"]
