"""Training rows mean what served rows mean: a page's impressions all see the visitor as
they were before the page (serving ranks before the page's search and impressions are
stored), the page comes from the event's page, and some rows learn an unknown device."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from shopmind.catalog import Product
from shopmind.config import RankConfig
from shopmind.events import StoredEvent
from shopmind.rank import ShopFeatures, shop_data
from shopmind.rank.features import CATS, NUMS

T0 = datetime(2026, 3, 1, tzinfo=UTC).timestamp()


def _event(seq: int, kind: str, item: str | None, t: float, **kw: object) -> StoredEvent:
    fields: dict[str, object] = {
        "seq": seq, "event_id": None, "visitor": "u1", "user_id": "u1", "session_id": None,
        "item_id": item, "type": kind, "value": None, "query": None, "position": None,
        "page": None, "ts": t, "context": {"device": "mobile"},
    }  # fmt: skip
    fields.update(kw)
    return StoredEvent(**fields)  # type: ignore[arg-type]


def test_a_page_of_impressions_shares_the_visitor_as_before_the_page() -> None:
    products = [
        Product(id=f"p{i}", title=f"lamp {i}", category="Home > Lighting") for i in range(8)
    ]
    log = [_event(1, "view", "p0", T0 - 86_400)]
    seq = 2
    for page, start in ((1, T0), (2, T0 + 3_600)):
        log.append(_event(seq, "search", None, start, query="lamp"))
        seq += 1
        for pos in range(1, 7):
            log.append(_event(seq, "impression", f"p{pos}", start + pos, position=pos, page=page))
            seq += 1
        log.append(_event(seq, "click", "p2", start + 30))
        seq += 1
    config = RankConfig(min_rows=10, valid_fraction=0.2, seed=1)
    data = shop_data(log, ShopFeatures(products, None, 10), config)
    t = data.data.table
    assert len(t) == 12
    visitor_nums = [
        NUMS.index(n) for n in ("visitor_events", "visitor_click_rate", "hours_since_last")
    ]
    first, second = t.nums[:6][:, visitor_nums], t.nums[6:][:, visitor_nums]
    # the same within a page, whatever the position (no position leaks into pCTR) ...
    assert np.all(first == first[0]) and np.all(second == second[0])
    # ... a day since the last action on page 1 (the search does not count), and the click
    # and the six impressions of page 1 count on page 2
    hours = NUMS.index("hours_since_last")
    assert t.nums[0, hours] > np.log1p(23.9)
    assert not np.allclose(first[0], second[0])
    assert t.click.sum() == 2
    page = CATS.index("page")
    pages = [data.coder.vocabs[page].codes.get(v) for v in ("1", "2")]
    assert set(t.cats[:, page]) <= {*pages, 0}
    assert t.cats[0, page] != t.cats[6, page]  # the event's page, not a context default
