"""The buy-again model on a synthetic history whose answer is known.

Two kinds of customers: slow regulars order every 60 days for ever; fast churners order
every 4 days for a while, then never again. Who buys in the next 30 days follows from each
customer's own rhythm (a regular 45 days after an order is due; a churner 20 days after
one is gone), which the RFM rule cannot see: it ranks the churners' many recent orders
first. The model, trained at one cutoff and scored at a later one, must beat it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.config import Settings
from shopmind.errors import TrainingError
from shopmind.events import Event
from shopmind.insight.behaviour import features_at
from shopmind.insight.buyagain import bought_within, evaluate_buy_again, train_cutoffs
from shopmind.insight.history import DAY, History
from shopmind.store import Store

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 360


def synthetic(seed: int = 7, each: int = 120) -> list[Event]:
    rng = np.random.default_rng(seed)
    events: list[Event] = []

    def buy(visitor: str, day: float, n: int) -> None:
        when = T0 + timedelta(days=float(day))
        events.append(
            Event(user_id=visitor, item_id=f"P{n % 7}", type="purchase", timestamp=when,
                  quantity=1, price=10.0, session_id=f"{visitor}-{n}")
        )  # fmt: skip

    for c in range(each):
        day, n = rng.uniform(0, 60), 0
        while day < DAYS:
            buy(f"slow{c}", day, n)
            day, n = day + 60 + rng.uniform(-2, 2), n + 1
    for c in range(each):
        day, n = rng.uniform(0, 200), 0
        stop = day + rng.uniform(20, 150)
        while day < min(stop, DAYS):
            buy(f"fast{c}", day, n)
            day, n = day + 4 + rng.uniform(-1, 1), n + 1
    return events


@pytest.fixture(scope="module")
def history() -> History:
    from shopmind.events.models import StoredEvent

    stored = [
        StoredEvent(n, None, e.visitor, e.user_id, e.session_id, e.item_id, e.type, None, None,
                    None, None, e.ts, {}, e.quantity, e.price)
        for n, e in enumerate(synthetic())
    ]  # fmt: skip
    return History.from_batches([stored])


def test_the_model_beats_the_rfm_rule_on_the_later_period(history: History) -> None:
    result = evaluate_buy_again(history, 30, 1800.0, seed=0)
    model, rfm = result["methods"]["shopmind"]["auc"], result["methods"]["rfm"]["auc"]
    assert model > 0.85, result
    assert model > rfm + 0.1, result
    assert result["days"] == 30 and result["visitors"] > 100
    # train cutoff t1 = t2 - 30 days has its labels by t2; t2's labels end at the newest event
    end = history.last_ts
    t2 = end - 30 * DAY
    assert result["evaluation_cutoff"] == datetime.fromtimestamp(t2, UTC).isoformat().replace(
        "+00:00", "Z"
    )
    newest_train = datetime.fromisoformat(result["training"]["cutoffs"][0].replace("Z", "+00:00"))
    assert newest_train.timestamp() == pytest.approx(t2 - 30 * DAY)


def test_seeded_runs_give_the_same_numbers(history: History) -> None:
    assert evaluate_buy_again(history, 30, 1800.0, seed=3) == evaluate_buy_again(
        history, 30, 1800.0, seed=3
    )


def test_features_see_nothing_after_the_cutoff(history: History) -> None:
    cutoff = history.last_ts - 100 * DAY
    before = features_at(history, cutoff, 30, 1800.0)
    cut = history.before(cutoff)
    again = features_at(cut, cutoff, 30, 1800.0)  # the later events removed outright
    np.testing.assert_array_equal(before.matrix, again.matrix)
    label = bought_within(history.orders(1800.0), cutoff, 30, history.n_visitors)
    assert label.any() and not label.all()


def test_cutoffs_need_n_days_of_history_before_them(history: History) -> None:
    cutoffs = train_cutoffs(history, history.last_ts, 30)
    first = float(np.nanmin(history.ts))
    assert cutoffs[0] == history.last_ts - 30 * DAY
    assert all(c - first >= 30 * DAY for c in cutoffs)
    assert np.allclose(np.diff(cutoffs), -30 * DAY)


def test_too_short_a_history_names_the_fix() -> None:
    short = History.from_batches([])
    with pytest.raises(TrainingError, match="timestamp"):
        evaluate_buy_again(short, 30, 1800.0)


def test_cli_evaluates_on_the_stores_events(settings: Settings, store: Store) -> None:
    store.add_events(synthetic(each=60))
    result = CliRunner().invoke(
        main, ["--home", str(settings.home), "evaluate", "buy-again", "--days", "30", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(data)[:3] == ["visitors", "days", "methods"]
    assert data["days"] == 30 and set(data["methods"]) == {"shopmind", "rfm"}
    assert data["methods"]["shopmind"]["auc"] > data["methods"]["rfm"]["auc"]


def test_rebuying_features_read_who_buys_the_same_products_again() -> None:
    from shopmind.insight.behaviour import rebuying

    day = 86_400.0
    # visitor 0 buys item 0 on two days and item 1 once; visitor 1 buys item 0 once;
    # visitor 2 bought nothing
    visitor = np.array([0, 0, 0, 1])
    item = np.array([0, 0, 1, 0])
    ts = np.array([0.0, 3 * day, 3 * day, day])
    repeat, basket = rebuying(visitor, item, ts, 3)
    assert repeat[0] == 0.5 and repeat[1] == 0.0 and np.isnan(repeat[2])
    shop = 1 / 3  # of the three (visitor, product) pairs one was bought on two days
    rate0 = (1 + 5 * shop) / (2 + 5)
    rate1 = (0 + 5 * shop) / (1 + 5)
    assert basket[0] == pytest.approx((rate0 + rate1) / 2)
    assert basket[1] == pytest.approx(rate0)
