"""Sales lines for demand: read from a transaction log or from the store's purchase events.

A transaction log is a table of invoice lines, such as the UCI Online Retail file
(``InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country``) or
any CSV/TSV/JSONL/Parquet file (gzip-compressed or not) whose columns are named like
``order_id, item_id, quantity, timestamp, price, user_id`` (see :data:`COLUMNS`;
``--map FIELD=COLUMN`` names others). Demand counts units sold, so these lines are left out
and counted, never silently dropped:

- ``cancellations``: an invoice whose number starts with ``C`` (and any other line with a
  negative quantity: ``returns``);
- ``non_product``: postage, fees and adjustments — a code with no digit in it (``POST``,
  ``M``, ``BANK CHARGES``) or a description naming a fee (:data:`NON_PRODUCT`);
- ``zero_quantity`` and ``zero_price``: lines that sold nothing or gave it away.

A line that cannot be read (a date that does not parse, a quantity that is not a number, a
negative price on a product line) is an error that names the row and the field: the whole
file is refused rather than half read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shopmind.errors import InvalidFile, InvalidInput, RowError
from shopmind.events.models import StoredEvent
from shopmind.sources.files import open_source, read_chunks

log = logging.getLogger(__name__)

COLUMNS: dict[str, tuple[str, ...]] = {  # field -> column names it is read from (any case)
    "order": ("invoiceno", "invoice", "order_id", "order", "orderid", "invoice_no"),
    "item": ("stockcode", "item_id", "product_id", "sku", "item", "product", "stock_code"),
    "description": ("description", "title", "name", "product_name"),
    "quantity": ("quantity", "qty", "units"),
    "time": ("invoicedate", "timestamp", "date", "time", "ts", "order_date", "created_at"),
    "price": ("unitprice", "unit_price", "price"),
    "customer": ("customerid", "customer_id", "user_id", "customer", "visitor"),
}
REQUIRED = ("item", "quantity", "time")
NON_PRODUCT = re.compile(
    r"\b(postage|carriage|shipping|delivery charge|fee|fees|charges?|adjust\w*|manual|"
    r"discount|bank|commission|samples?|gift ?card|voucher)\b",
    re.IGNORECASE,
)
MAX_ERRORS = 20
_TIME_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y/%m/%d %H:%M:%S")


@dataclass
class Cleaning:
    """What was left out of demand, by reason, and how many lines were read."""

    lines: int = 0
    kept: int = 0
    cancellations: int = 0
    returns: int = 0
    non_product: int = 0
    zero_quantity: int = 0
    zero_price: int = 0
    units_returned: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        """The counts, JSON-ready."""
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in vars(self).items()}

    def render(self) -> str:
        """One line a person can read."""
        left = self.lines - self.kept
        return (
            f"{self.lines:,} lines, {self.kept:,} kept as demand; {left:,} left out: "
            f"{self.cancellations:,} cancellations, {self.returns:,} other returns "
            f"({self.units_returned:,.0f} units back), {self.non_product:,} postage/fees/"
            f"adjustments, {self.zero_quantity:,} zero quantity, {self.zero_price:,} zero price"
        )


@dataclass
class Sales:
    """Kept sales lines, column by column (one entry per line)."""

    item: npt.NDArray[np.object_]
    day: npt.NDArray[np.int64]  # days since 1970-01-01 (UTC)
    quantity: npt.NDArray[np.float64]
    price: npt.NDArray[np.float64]  # unit price; NaN where unknown
    customer: npt.NDArray[np.object_]  # "" for a guest
    cleaning: Cleaning = field(default_factory=Cleaning)
    titles: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.item)

    @property
    def first_day(self) -> date:
        """The day of the first kept line."""
        return _to_date(int(self.day.min()))

    @property
    def last_day(self) -> date:
        """The day of the last kept line."""
        return _to_date(int(self.day.max()))


def is_non_product(code: str, description: str = "") -> bool:
    """Whether an invoice line is postage, a fee or an adjustment rather than a product."""
    return not any(c.isdigit() for c in code) or bool(NON_PRODUCT.search(description))


def read_transactions(path: str | Path, mapping: Sequence[str] = ()) -> Sales:
    """Read a transaction log into sales lines, leaving out and counting what is not demand.

    Args:
        path: a CSV/TSV/JSONL/Parquet file, gzip-compressed or not.
        mapping: ``FIELD=COLUMN`` pairs for columns with other names (fields: ``order``,
            ``item``, ``description``, ``quantity``, ``time``, ``price``, ``customer``).

    Raises:
        InvalidFile: the file cannot be read or lacks an item, quantity or time column.
        InvalidInput: rows with a date, number or price that cannot be used; each error
            names the row and the field.
    """
    src = open_source(path)
    columns = _columns(src.columns, mapping, str(src.path))
    cleaning = Cleaning()
    items: list[str] = []
    days: list[int] = []
    qty: list[float] = []
    prices: list[float] = []
    customers: list[str] = []
    titles: dict[str, str] = {}
    errors: list[RowError] = []
    bad = 0
    parsed: dict[str, int] = {}

    def col(rec: dict[str, Any], key: str) -> str:
        name = columns.get(key)
        value = rec.get(name) if name else None
        return "" if value is None else str(value).strip()

    for chunk in read_chunks(src, 20_000):
        for row, rec in chunk:
            cleaning.lines += 1
            problem = _problem(rec, col, parsed)
            if problem is not None:
                bad += 1
                if len(errors) < MAX_ERRORS:
                    errors.append(RowError(row, columns.get(problem[0], problem[0]), *problem[1:]))
                continue
            code, description = col(rec, "item"), col(rec, "description")
            quantity = float(col(rec, "quantity"))
            price_text = col(rec, "price")
            price = float(price_text) if price_text else float("nan")
            if col(rec, "order").upper().startswith("C"):
                cleaning.cancellations += 1
                cleaning.units_returned += abs(quantity)
            elif quantity < 0:
                cleaning.returns += 1
                cleaning.units_returned += -quantity
            elif is_non_product(code, description):
                cleaning.non_product += 1
            elif quantity == 0:
                cleaning.zero_quantity += 1
            elif price < 0:
                bad += 1
                if len(errors) < MAX_ERRORS:
                    errors.append(
                        RowError(
                            row,
                            columns.get("price", "price"),
                            "a product line has a negative price",
                            "write the unit price as a number >= 0 (a refund is a line with a "
                            "negative quantity)",
                            price_text,
                        )
                    )
            elif price == 0:
                cleaning.zero_price += 1
            else:
                cleaning.kept += 1
                items.append(code)
                days.append(parsed[col(rec, "time")])
                qty.append(quantity)
                prices.append(price)
                customers.append(_clean_id(col(rec, "customer")))
                if description:
                    titles.setdefault(code, description)
    if bad:
        raise InvalidInput(errors, bad, source=str(src.path))
    if not items:
        raise InvalidFile(
            "no sales lines left after leaving out " + cleaning.render(), source=str(src.path)
        )
    log.info("%s: %s", src.name, cleaning.render())
    return Sales(
        np.asarray(items, dtype=object),
        np.asarray(days, dtype=np.int64),
        np.asarray(qty, dtype=np.float64),
        np.asarray(prices, dtype=np.float64),
        np.asarray(customers, dtype=object),
        cleaning,
        titles,
    )


def sales_from_events(events: Iterable[StoredEvent], titles: dict[str, str] | None = None) -> Sales:
    """Sales lines from the store's ``purchase`` events (quantity 1 where none was given).

    ``return`` events and postage/fee items are counted in the cleaning, not kept.
    """
    cleaning = Cleaning()
    titles = titles or {}
    items: list[str] = []
    days: list[int] = []
    qty: list[float] = []
    prices: list[float] = []
    customers: list[str] = []
    for ev in events:
        if ev.type not in ("purchase", "return") or not ev.item_id or ev.ts is None:
            continue
        cleaning.lines += 1
        units = 1.0 if ev.quantity is None else float(ev.quantity)
        if ev.type == "return":
            cleaning.returns += 1
            cleaning.units_returned += abs(units)
            continue
        if is_non_product(ev.item_id, titles.get(ev.item_id, "")):
            cleaning.non_product += 1
            continue
        cleaning.kept += 1
        price = ev.price
        items.append(ev.item_id)
        days.append(int(ev.ts // 86_400))
        qty.append(units)
        prices.append(float("nan") if price is None else float(price))
        customers.append(ev.user_id or "")
    sold = set(items)
    return Sales(
        np.asarray(items, dtype=object),
        np.asarray(days, dtype=np.int64),
        np.asarray(qty, dtype=np.float64),
        np.asarray(prices, dtype=np.float64),
        np.asarray(customers, dtype=object),
        cleaning,
        {k: v for k, v in titles.items() if k in sold},
    )


def _columns(present: Sequence[str], mapping: Sequence[str], source: str) -> dict[str, str]:
    by_lower = {c.lower().strip(): c for c in present}
    found: dict[str, str] = {}
    for pair in mapping:
        key, sep, column = pair.partition("=")
        if not sep or key not in COLUMNS:
            raise InvalidFile(
                f"--map {pair!r}: write FIELD=COLUMN with FIELD one of {', '.join(COLUMNS)}",
                source=source,
            )
        if column not in present:
            raise InvalidFile(
                f"--map {pair!r}: the file has no column {column!r} "
                f"(its columns: {', '.join(present)})",
                source=source,
            )
        found[key] = column
    for key, names in COLUMNS.items():
        if key not in found:
            hit = next((by_lower[n] for n in names if n in by_lower), None)
            if hit is not None:
                found[key] = hit
    missing = [k for k in REQUIRED if k not in found]
    if missing:
        raise InvalidFile(
            f"no {' or '.join(missing)} column: name it one of "
            + "; ".join(f"{k}: {', '.join(COLUMNS[k][:3])}" for k in missing)
            + f", or map it with --map {missing[0]}=COLUMN (the file has: {', '.join(present)})",
            source=source,
        )
    return found


def _problem(
    rec: dict[str, Any], col: Any, parsed: dict[str, int]
) -> tuple[str, str, str, str] | None:
    """``(field, problem, fix, value)`` for a line that cannot be read, else None."""
    if not col(rec, "item"):
        return ("item", "missing", "give every line the product's code", "")
    text = col(rec, "quantity")
    try:
        float(text)
    except ValueError:
        return ("quantity", "not a number", "write the units sold as a number", text)
    price = col(rec, "price")
    if price:
        try:
            float(price)
        except ValueError:
            return ("price", "not a number", "write the unit price as a number", price)
    stamp = col(rec, "time")
    if stamp not in parsed:
        day = _parse_day(stamp)
        if day is None:
            return (
                "time",
                "not a date",
                "write dates as ISO 8601 (2011-03-01 09:30:00) or M/D/YYYY H:MM",
                stamp,
            )
        parsed[stamp] = day
    return None


def _parse_day(text: str) -> int | None:
    if not text:
        return None
    try:
        stamp = float(text)
    except ValueError:
        pass
    else:
        return int(stamp // 86_400) if 0 <= stamp < 1e11 else None
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _TIME_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() // 86_400)


def _clean_id(text: str) -> str:
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def _to_date(day: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + day)
