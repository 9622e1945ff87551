"""Optionally rephrase a grounded answer with the shop's own OpenAI-compatible chat endpoint.

The assistant always has a grounded answer, built from evidence without any language model.
When ``assistant.generator_url`` is set, :class:`Generator` asks that endpoint to say the
same thing more fluently, then checks the reply before using it: every number and
model-like token the reply states must occur in the evidence or in the grounded answer
(:func:`unsupported_claims`). A reply that fails the check, an endpoint that is down, slow,
broken or answers nonsense all give the grounded answer back, with the reason, and never
an exception.

Only the standard library talks to the endpoint (``urllib.request``); the whole call,
connecting, waiting and reading, is bounded by ``generator_timeout_s``.

Example::

    generator = Generator.from_config(settings.assistant)
    if generator is not None:
        out = generator.rephrase(message, grounded, evidence, language="en")
        answer = out.text  # the reply when out.used, else the grounded answer
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from http.client import HTTPException
from typing import Any

from shopmind.config import AssistantConfig
from shopmind.errors import ConfigError

__all__ = ["Generator", "Rephrased", "unsupported_claims"]

logger = logging.getLogger(__name__)

MAX_REPLY_BYTES = 1_000_000
"""A response body longer than this is not read to the end; the reply counts as malformed."""

_LANGUAGES = {"zh": "Chinese (简体中文)", "en": "English"}

_SYSTEM = (
    "You rephrase a shop assistant's answer for a customer. Use ONLY the facts in the "
    "grounded answer and the numbered evidence. Never add a number, price, size, "
    "percentage, model name or product attribute they do not contain, and never change "
    "one. If the grounded answer says something is not known, keep saying so. Write in "
    "{language}, the customer's language, in a few short sentences: no preamble, no "
    "evidence numbers, no markdown."
)

# A claim: an identifier with digits (IPX7, X200, A15) or a number, with the currency mark
# before it and the unit or percent sign glued after it kept for the report only.
_CLAIM = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?P<ident>[A-Za-z]+(?:[0-9]+(?:\.[0-9]+)*[A-Za-z]*)+)"
    r"|(?P<pre>[$€£¥]\s?)?"
    r"(?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
    r"(?P<unit>%|元|块|[A-Za-z]{1,4}(?![A-Za-z]))?"
    r")"
)
_VERSION = re.compile(r"v([0-9]+(?:\.[0-9]+)?)")
_CITATION = re.compile(r"\[([0-9]{1,3})\]")
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL)


@dataclass(frozen=True)
class Rephrased:
    """What :meth:`Generator.rephrase` gives: the text to show the customer, whether it is
    the model's reply (``used``) and, when it is not, why (``reason``; empty when used)."""

    text: str
    used: bool
    reason: str


class _Failed(Exception):
    """The endpoint gave no usable reply; ``args[0]`` says why."""


def _number_key(text: str) -> str:
    """``"1,299.00"`` -> ``"1299"``, ``"59.90"`` -> ``"59.9"``, ``"007"`` -> ``"7"``."""
    try:
        value = Decimal(text.replace(",", "")).normalize()
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return text
    return format(value, "f")


def _claims(text: str) -> list[tuple[str, str]]:
    """Every claim in ``text`` as ``(surface, key)``; equal keys state the same thing."""
    found: list[tuple[str, str]] = []
    for match in _CLAIM.finditer(unicodedata.normalize("NFKC", text)):
        ident = match.group("ident")
        if ident is not None:
            version = _VERSION.fullmatch(ident.lower())
            if version is not None:  # "v5.3" states the number 5.3
                found.append((ident, "n:" + _number_key(version.group(1))))
            else:
                found.append((ident, "id:" + ident.lower()))
        else:
            found.append((match.group(0).strip(), "n:" + _number_key(match.group("num"))))
    return found


def unsupported_claims(reply: str, evidence: Sequence[str]) -> list[str]:
    """The numbers and model-like tokens that ``reply`` states and no ``evidence`` text does.

    A claim is a number (``299``, ``59.99``, ``1,299``; with ``$ € £ ¥`` before or ``%``,
    ``元`` or a unit such as ``mAh``/``h``/``GB`` glued after it; each end of a range
    ``10-20`` on its own) or an identifier of letters then digits (``IPX7``, ``X200``,
    ``A15``). Numbers compare by value, so ``59.90 == 59.9`` and ``1,299 == 1299``, with the
    currency mark and unit ignored and no conversion between units (``30h`` is supported by
    ``30 hours`` but not by ``1800 minutes``); identifiers compare whole, ignoring case, so
    ``IPX7 != IPX5``; ``v5.3`` is the number 5.3. Signs are not read (``-5`` is ``5``).
    Citation marks ``[1]``..``[n]`` for the ``n`` evidence texts are not claims.
    Chinese numerals (三年, 两个) are out of scope: they are not checked at all.

    Returns the unsupported claims as written in the reply, first occurrence first, each
    once; ``[]`` when every claim is supported or the reply states none.
    """
    supported = {key for text in evidence for _, key in _claims(text)}
    uncited = _CITATION.sub(
        lambda m: " " if 1 <= int(m.group(1)) <= len(evidence) else m.group(0), reply
    )
    missing: list[str] = []
    for surface, key in _claims(uncited):
        if key not in supported and surface not in missing:
            missing.append(surface)
    return missing


class Generator:
    """A client of an OpenAI-compatible ``/v1/chat/completions`` endpoint that rephrases
    grounded answers and keeps a reply only when it passes the fact check."""

    def __init__(
        self, url: str, model: str = "default", key: str | None = None, timeout_s: float = 3.0
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"assistant.generator_url must be an http(s) URL of a chat endpoint such as "
                f"http://localhost:8000/v1/chat/completions, got {url!r}"
            )
        if not timeout_s > 0:
            raise ConfigError(f"assistant.generator_timeout_s must be > 0, got {timeout_s!r}")
        self.url = url
        self.model = model
        self.timeout_s = float(timeout_s)
        self._key = key
        # Built now so that proxy variables are read once, at configuration time.
        self._opener = urllib.request.build_opener()

    @classmethod
    def from_config(cls, config: AssistantConfig) -> Generator | None:
        """The generator ``config`` describes, or None when it names no endpoint."""
        if not config.generator_url:
            return None
        return cls(
            config.generator_url,
            model=config.generator_model,
            key=config.generator_key,
            timeout_s=config.generator_timeout_s,
        )

    def __repr__(self) -> str:
        return f"Generator(url={self.url!r}, model={self.model!r}, timeout_s={self.timeout_s})"

    def rephrase(
        self, message: str, grounded: str, evidence: Sequence[str], language: str
    ) -> Rephrased:
        """Ask the endpoint to rephrase ``grounded`` for ``message`` in ``language``
        (``"zh"``, ``"en"`` or a language name) and check the reply against ``evidence``
        and ``grounded``. Gives the reply (``used=True``) or ``grounded`` with the reason;
        never raises for a problem of the endpoint or its reply."""
        if not grounded.strip():
            return Rephrased(grounded, False, "nothing to rephrase")
        try:
            reply = self._ask(message, grounded, evidence, language)
        except _Failed as failed:
            reason = str(failed)
            logger.warning("generator at %s not used: %s", self.url, reason)
            return Rephrased(grounded, False, reason)
        reason = self._reject(reply, grounded, evidence)
        if reason:
            logger.warning("generator reply rejected: %s", reason)
            return Rephrased(grounded, False, reason)
        return Rephrased(reply, True, "")

    @staticmethod
    def _reject(reply: str, grounded: str, evidence: Sequence[str]) -> str:
        """Why ``reply`` may not stand in for ``grounded``; empty when it may."""
        if not reply:
            return "empty reply"
        limit = 4 * len(grounded) + 400
        if len(reply) > limit:
            return f"reply too long ({len(reply)} chars, at most {limit})"
        missing = unsupported_claims(reply, [grounded, *evidence])
        if missing:
            return f"reply states {', '.join(missing)} which the evidence does not"
        return ""

    def _request(
        self, message: str, grounded: str, evidence: Sequence[str], language: str
    ) -> urllib.request.Request:
        numbered = "\n".join(f"[{i}] {text}" for i, text in enumerate(evidence, 1))
        user = (
            f"Customer's message:\n{message}\n\nGrounded answer:\n{grounded}\n\n"
            f"Evidence:\n{numbered or '(none)'}"
        )
        name = _LANGUAGES.get(language.lower(), language) or "the customer's language"
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": _SYSTEM.format(language=name)},
                {"role": "user", "content": user},
            ],
            "temperature": 0,
        }
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "shopmind-assistant",
        }
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return urllib.request.Request(self.url, data=data, headers=headers, method="POST")

    def _ask(self, message: str, grounded: str, evidence: Sequence[str], language: str) -> str:
        """The endpoint's reply text, within the timeout; raises :class:`_Failed`."""
        request = self._request(message, grounded, evidence, language)
        deadline = time.monotonic() + self.timeout_s
        outcome: list[str | _Failed] = []
        done = threading.Event()

        def work() -> None:
            try:
                outcome.append(self._post(request, deadline))
            except _Failed as failed:
                outcome.append(failed)
            except Exception as exc:  # anything else the endpoint provokes
                outcome.append(_Failed(f"endpoint unreachable: {exc!r}"))
            finally:
                done.set()

        # The socket timeout bounds each wait, not the sum of them (a server can trickle
        # bytes); the caller waits for the deadline at most, the worker ends soon after.
        threading.Thread(target=work, name="shopmind-generator", daemon=True).start()
        if not done.wait(self.timeout_s) or not outcome:
            raise _Failed(f"timed out after {self.timeout_s} s")
        result = outcome[0]
        if isinstance(result, _Failed):
            raise result
        return result

    def _post(self, request: urllib.request.Request, deadline: float) -> str:
        timed_out = _Failed(f"timed out after {self.timeout_s} s")
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                status = response.status
                if status != 200:
                    raise _Failed(f"HTTP {status}")
                chunks: list[bytes] = []
                size = 0
                while chunk := response.read(65_536):
                    size += len(chunk)
                    if size > MAX_REPLY_BYTES:
                        raise _Failed("malformed reply")
                    if time.monotonic() > deadline:
                        raise timed_out
                    chunks.append(chunk)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise _Failed(f"HTTP {exc.code}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise timed_out from None
            raise _Failed(f"endpoint unreachable: {exc.reason}") from None
        except TimeoutError:
            raise timed_out from None
        except OSError as exc:  # before HTTPException: a dropped connection is both
            raise _Failed(f"endpoint unreachable: {exc}") from None
        except HTTPException:
            raise _Failed("malformed reply") from None
        return _content(b"".join(chunks))


def _content(body: bytes) -> str:
    """``choices[0].message.content`` of a chat completion, stripped of any thinking."""
    try:
        reply: Any = json.loads(body)
        content = reply["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise _Failed("malformed reply") from None
    if not isinstance(content, str):
        raise _Failed("malformed reply")
    return _THINKING.sub("", content).strip()
