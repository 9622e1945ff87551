"""Segments on a synthetic population with two obvious groups: loyal big spenders who
bought often and lately, and one-off small buyers from long ago. Found by the silhouette,
named by what sets them apart, with sizes, revenue shares and top products; saved for
targeting (``segment_of``) and served by ``GET /insight/segments``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from shopmind.catalog import Product
from shopmind.cli import main
from shopmind.config import Settings
from shopmind.errors import InvalidInput
from shopmind.events import Event
from shopmind.insight.profilebook import ProfileBook
from shopmind.insight.profiles import build_profiles
from shopmind.insight.segments import Segments, find_segments, segment_of, segments_path
from shopmind.serve import create_app
from shopmind.store import Store

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def population() -> list[Event]:
    events = []
    for c in range(40):  # loyal: 8 orders in the last 60 days, 3 x 100 each
        for n in range(8):
            when = T0 + timedelta(days=240 + 7 * n + c % 5, hours=c % 7)
            events.append(
                Event(user_id=f"loyal{c}", item_id="GOLD", type="purchase", timestamp=when,
                      quantity=3, price=100.0, session_id=f"l{c}-{n}")
            )  # fmt: skip
    for c in range(40):  # one-off: one order of 1 x 5 about 200 days before the end
        when = T0 + timedelta(days=100 + c % 9, hours=c % 5)
        events.append(
            Event(user_id=f"once{c}", item_id="TIN", type="purchase", timestamp=when,
                  quantity=1, price=5.0, session_id=f"o{c}")
        )  # fmt: skip
    return events


@pytest.fixture
def book(settings: Settings, store: Store) -> ProfileBook:
    store.upsert_products(
        [Product(id="GOLD", title="Gold Gift Box", price=100.0), Product(id="TIN", title="Tin")]
    )
    store.add_events(population())
    return build_profiles(store, settings.profiles, settings.events, progress=False)


def test_two_obvious_groups_are_found_and_named_by_what_sets_them_apart(
    book: ProfileBook,
) -> None:
    segments = find_segments(book, "auto", seed=0, titles={"GOLD": "Gold Gift Box"})
    report = segments.report
    assert report["k"] == 2 and report["chosen_by"] == "silhouette"
    assert report["silhouettes"][2] == max(report["silhouettes"].values())
    by_size = {s["segment"]: s for s in report["segments"]}
    loyal = by_size[segment_of(segments, "loyal0") or 0]
    once = by_size[segment_of(segments, "once0") or 0]
    assert loyal is not once
    assert {segment_of(segments, f"loyal{c}") for c in range(40)} == {loyal["segment"]}
    assert {segment_of(segments, f"once{c}") for c in range(40)} == {once["segment"]}
    assert loyal["visitors"] == once["visitors"] == 40 and loyal["share"] == 0.5
    loyal_words, once_words = set(loyal["name"].split(", ")), set(once["name"].split(", "))
    assert 2 <= len(loyal_words) <= 3 and 2 <= len(once_words) <= 3
    assert loyal_words <= {"frequent", "high spend", "recent", "big baskets", "many products",
                           "very active", "long-standing"}, loyal["name"]  # fmt: skip
    assert once_words <= {"one-off", "low spend", "lapsed", "small baskets", "few products",
                          "little activity", "newcomers"}, once["name"]  # fmt: skip
    # revenue: 40 x 8 x 300 against 40 x 5
    assert loyal["revenue_share"] == round(96_000 / 96_200, 4)
    assert loyal["top_products"][0] == {"id": "GOLD", "title": "Gold Gift Box", "revenue": 96000.0}
    assert once["top_products"][0]["id"] == "TIN"
    assert segment_of(segments, "a stranger") is None


def test_a_given_k_is_used_and_a_bad_one_names_the_fix(book: ProfileBook) -> None:
    assert find_segments(book, 3, seed=0).report["k"] == 3
    with pytest.raises(InvalidInput, match="use --k auto"):
        find_segments(book, 500, seed=0)


def test_seeded_segments_are_the_same_twice(book: ProfileBook) -> None:
    first, second = find_segments(book, "auto", seed=4), find_segments(book, "auto", seed=4)
    assert first.assignment == second.assignment
    assert first.report["segments"] == second.report["segments"]


def test_cli_saves_segments_that_the_routes_serve(
    settings: Settings, store: Store, book: ProfileBook
) -> None:
    home = str(settings.home)
    run = CliRunner().invoke(main, ["--home", home, "analyze", "segments", "--json"])
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["k"] == 2 and sum(s["visitors"] for s in report["segments"]) == 80
    saved = Segments.load(segments_path(settings.home))
    assert saved.report == report
    with TestClient(create_app(settings)) as client:
        served = client.get("/insight/segments")
        assert served.status_code == 200 and served.json() == report
        profile = client.get("/visitors/loyal3/profile").json()
    number = segment_of(saved, "loyal3")
    names = {s["segment"]: s["name"] for s in report["segments"]}
    assert profile["segment"] == {"segment": number, "name": names[number]}
    bad = CliRunner().invoke(main, ["--home", home, "analyze", "segments", "--k", "many"])
    assert bad.exit_code == 2 and "auto" in bad.output
