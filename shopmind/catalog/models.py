"""The product schema: what a shop's catalog row must and may hold, checked at the boundary."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

Language = Literal["zh", "en"]
CATEGORY_SEPARATOR = " > "

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CATEGORY_SPLIT = re.compile(r"\s*(?:>|/|\|)\s*")
_CURRENCY_PREFIX = re.compile(r"^\s*(?:[$¥€£]|US\$|RMB|CNY|USD|EUR)\s*", re.IGNORECASE)


def has_chinese(text: str) -> bool:
    """Whether ``text`` holds a Chinese (CJK) character."""
    return _CJK.search(text) is not None


def detect_language(text: str) -> Language:
    """Guess a text's language: ``zh`` when CJK characters weigh at least 30% of it.

    A CJK character counts one, a Latin word two (a word carries about as much as two
    Chinese characters), so ``iPhone 15 手机壳`` is Chinese and ``earbuds with 降噪`` English.
    """
    cjk = len(_CJK.findall(text))
    if cjk == 0:
        return "en"
    latin_words = len(re.findall(r"[A-Za-z]+", text))
    return "zh" if cjk / (cjk + 2 * latin_words) >= 0.3 else "en"


def normalise_category(value: str) -> str:
    """Normalise a category path to ``A > B > C`` (accepts ``>``, ``/`` or ``|`` separators)."""
    parts = [p.strip() for p in _CATEGORY_SPLIT.split(value.strip()) if p.strip()]
    return CATEGORY_SEPARATOR.join(parts)


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _parse_price(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, str):
        return _CURRENCY_PREFIX.sub("", value).replace(",", "").strip()
    return value


def _parse_bool(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in {"1", "true", "yes", "y", "t", "in stock", "instock"}:
            return True
        if low in {"0", "false", "no", "n", "f", "out of stock", "outofstock"}:
            return False
    return value


def _parse_attributes(value: Any) -> Any:
    """Accept a mapping, a JSON object string, or ``key=value; key=value`` text."""
    value = _blank_to_none(value)
    if value is None:
        return {}
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            import json

            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return value
        pairs: dict[str, str] = {}
        for part in re.split(r"[;\n]", text):
            if not part.strip():
                continue
            key, sep, val = part.partition("=")
            if not sep:
                key, sep, val = part.partition(":")
            if not sep:
                return value
            pairs[key.strip()] = val.strip()
        return pairs
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    return value


OptStr = Annotated[str | None, BeforeValidator(_blank_to_none)]
# constraints sit on the inner type: pydantic cannot apply ``ge`` to a None
Price = Annotated[
    Annotated[float, Field(ge=0, allow_inf_nan=False)] | None, BeforeValidator(_parse_price)
]
MAX_COUNT = 2**53  # counts past this are not counts (and overflow SQLite's integers)
Stock = Annotated[Annotated[int, Field(ge=0, le=MAX_COUNT)] | None, BeforeValidator(_blank_to_none)]
Flag = Annotated[bool | None, BeforeValidator(_parse_bool)]
Attributes = Annotated[dict[str, str], BeforeValidator(_parse_attributes)]
Stamp = Annotated[datetime | None, BeforeValidator(_blank_to_none)]
Lang = Annotated[Language | None, BeforeValidator(_blank_to_none)]


def as_utc(value: datetime | None) -> datetime | None:
    """Return an aware UTC datetime (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is in year 0 in UTC
        raise ValueError("the time falls outside the years 1-9999 in UTC") from None


class _ProductFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=256)
    description: OptStr = None
    category: OptStr = None
    brand: OptStr = None
    price: Price = None
    # ASCII letters only: upper-casing them keeps their length (``ß`` would become ``SS``)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{1,8}$")] | None = None
    stock: Stock = None
    in_stock: Flag = None
    image_url: OptStr = None
    url: OptStr = None
    language: Lang = None
    created_at: Stamp = None
    updated_at: Stamp = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_to_text(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(int(value)) if float(value).is_integer() else str(value)
        return value

    @field_validator("category")
    @classmethod
    def _category_path(cls, value: str | None) -> str | None:
        return normalise_category(value) if value else value

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @field_validator("created_at", "updated_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return as_utc(value)


class Product(_ProductFields):
    """A catalog product as stored.

    ``in_stock`` defaults to ``stock > 0`` when a stock quantity is given, else to true;
    ``language`` is detected from the title and description when absent.
    """

    title: str = Field(min_length=1, max_length=2_000)
    attributes: Attributes = Field(default_factory=dict)

    @model_validator(mode="after")
    def _derive(self) -> Product:
        if self.in_stock is None:
            self.in_stock = self.stock > 0 if self.stock is not None else True
        if self.language is None:
            self.language = detect_language(f"{self.title} {self.description or ''}")
        return self


class ProductPatch(_ProductFields):
    """A partial update: only the fields that are set change; ``attributes`` merge key by key."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=2_000)] | None = None
    attributes: Attributes | None = None

    @model_validator(mode="after")
    def _title_kept(self) -> ProductPatch:
        if "title" in self.model_fields_set and self.title is None:
            raise PydanticCustomError(
                "title_removed",
                "title cannot be removed; give a new title or leave it out",
                {"field": "title"},
            )
        return self

    def changes(self) -> dict[str, Any]:
        """Return the fields this patch sets, without the id."""
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if k != "id"}


PRODUCT_FIELDS: tuple[str, ...] = tuple(Product.model_fields)

FIELD_FIXES: dict[str, str] = {
    "id": "give every product a non-empty id (map it with --map id=COLUMN)",
    "title": "give every product a non-empty title (map it with --map title=COLUMN)",
    "price": "write the price as a plain non-negative number like 12.50, or leave it empty",
    "stock": "write the stock as a whole number ≥ 0, or leave it empty",
    "in_stock": "write true/false, yes/no or 1/0",
    "currency": "use a currency code like USD or CNY",
    "language": "use 'zh' or 'en', or leave it empty to detect it",
    "attributes": "write attributes as a JSON object or as key=value; key=value",
    "created_at": "use an ISO-8601 time like 2025-03-01T12:00:00Z or epoch seconds",
    "updated_at": "use an ISO-8601 time like 2025-03-01T12:00:00Z or epoch seconds",
}


def now_utc() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)
