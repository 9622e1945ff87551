"""Cohort retention on a tiny shop whose matrix is known, by month and by week; the CLI
and the route."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.config import Settings
from shopmind.events.models import Event
from shopmind.insight.cohorts import cohorts
from shopmind.insight.eventlog import read_log
from shopmind.serve import create_app
from shopmind.store import Store
from tests.serve.test_search_api import TestClient


def buy(who: str, day: str, anonymous: bool = False) -> Event:
    at = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
    visitor = {"session_id": who} if anonymous else {"user_id": who}
    return Event(type="purchase", item_id="p1", timestamp=at, **visitor)


@pytest.fixture
def shop(store: Store) -> Store:
    store.add_events(
        [
            # January cohort: u1, u2, u3; February: u4; nobody new in March
            buy("u1", "2024-01-03"), buy("u2", "2024-01-10"), buy("u3", "2024-01-31"),
            buy("u1", "2024-01-20"),  # again in its own month: not a return
            buy("u1", "2024-02-05"), buy("u4", "2024-02-14"),
            buy("u1", "2024-03-01"), buy("u2", "2024-03-09"), buy("u4", "2024-03-30"),
            buy("u4", "2024-03-31"),  # twice in one month counts once
            buy("guest-1", "2024-01-05", anonymous=True),
            Event(type="view", item_id="p1", user_id="u5",
                  timestamp=datetime(2024, 1, 2, tzinfo=UTC)),  # a view is no purchase
        ]
    )  # fmt: skip
    return store


def test_monthly_matrix_is_known(shop: Store) -> None:
    report = cohorts(read_log(shop), "month").as_dict()
    assert report["customers"] == 4
    assert report["anonymous_buyers_left_out"] == 1
    assert report["offsets"] == [1, 2]
    assert report["cohorts"] == [
        {"cohort": "2024-01", "size": 3, "retention": [0.3333, 0.6667]},
        {"cohort": "2024-02", "size": 1, "retention": [1.0, None]},
    ]
    # size-weighted over the cohorts that reached the offset
    assert report["average"] == [0.5, 0.6667]
    assert report["last_period_partial"] is False  # the data ends on March 31


def test_weekly_cohorts_start_on_mondays(shop: Store) -> None:
    report = cohorts(read_log(shop), "week")
    labels = [c.label for c in report.cohorts]
    assert labels[0] == "2024-01-01"  # the Monday of the week of January 3
    for label in labels:
        assert datetime.fromisoformat(label).weekday() == 0
    assert sum(c.size for c in report.cohorts) == 4
    first = report.cohorts[0]  # u1 alone: bought again in weeks +2 (Jan 20), +5 (Feb 5), +8 (Mar 1)
    assert first.size == 1
    assert [i + 1 for i, r in enumerate(first.retention) if r] == [2, 5, 8]


def test_cli_and_route(shop: Store, settings: Settings) -> None:
    out = CliRunner().invoke(
        main, ["--home", str(settings.home), "analyze", "cohorts", "--period", "month", "--json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output.strip().splitlines()[-1])
    assert data["cohorts"][0]["retention"] == [0.3333, 0.6667]
    text = CliRunner().invoke(main, ["--home", str(settings.home), "analyze", "cohorts"]).output
    assert "2024-01" in text and "33.3%" in text
    with TestClient(create_app(settings)) as client:
        assert client.get("/insight/cohorts").json() == data
        weekly = client.get("/insight/cohorts", params={"period": "week"}).json()
        assert weekly["period"] == "week" and weekly["customers"] == 4
        bad = client.get("/insight/cohorts", params={"period": "year"})
        assert bad.status_code == 422


def test_no_purchases_no_cohorts(store: Store) -> None:
    report = cohorts(read_log(store))
    assert report.customers == 0 and report.cohorts == []
