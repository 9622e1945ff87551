"""The BM25F lexical index: ranking, field weights, typo and code-prefix expansion, persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shopmind.catalog import Product
from shopmind.index import LexicalIndex, QueryTerm, product_fields
from shopmind.index.lexical import PREFIX_DISCOUNT, TYPO_DISCOUNT, near_keys, slip_cost
from shopmind.search.query import did_you_mean

DOCS: list[tuple[str, dict[str, str]]] = [
    ("e1", {"title": "QuietBeat Wireless Earbuds X2", "description": "Bluetooth, 30-hour battery"}),
    ("e2", {"title": "SonicArc Over-Ear Headphones", "description": "wireless and foldable"}),
    ("c1", {"title": "Novaphone Phone Case Clear", "description": "easy installation"}),
    ("d1", {"title": "Cordless Drill", "description": "a compact drill driver"}),
    ("d2", {"title": "Cordless Drill Battery Pack 20-Volt", "description": "fits cordless drills"}),
    ("d3", {"title": "Hammer Drill Corded", "description": "for masonry"}),
    ("d4", {"title": "Cordless Impact Driver", "description": "brushless motor"}),
    ("h1", {"title": "Everbilt 1/2 in. Hex Bolt 740000801", "description": ""}),
    ("h2", {"title": "Everbilt 3/8 in. Hex Nut 750000122", "description": ""}),
    ("z1", {"title": "速充 手机壳 安装简单 防摔", "description": ""}),
    ("z2", {"title": "极光 钢化膜 高清", "description": "安装简单，贴合严密"}),
    ("z3", {"title": "声浪 蓝牙耳机 运动版", "description": "长续航"}),
]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex().build(DOCS)


def _ids(index: LexicalIndex, query: str, k: int = 10) -> list[str]:
    return index.search(query, k)[0]


def test_exact_title_match_ranks_first(index: LexicalIndex) -> None:
    ids, scores = index.search("cordless drill", 10)
    assert ids[0] == "d1"
    assert set(ids) == {"d1", "d2", "d3", "d4"}
    assert list(scores) == sorted(scores, reverse=True)
    assert index.search("cordless drill battery pack", 10)[0][0] == "d2"


def test_title_match_beats_description_only_match(index: LexicalIndex) -> None:
    ids, scores = index.search("wireless", 10)
    assert ids == ["e1", "e2"]  # e1 in the title, e2 only in the description
    assert scores[0] > scores[1] > 0


def test_field_weights_decide_which_field_counts() -> None:
    docs = [
        ("t", {"title": "red lamp", "description": "a lamp"}),
        ("d", {"title": "lamp", "description": "red red red shade"}),
    ]
    assert LexicalIndex().build(docs).search("red")[0][0] == "t"
    no_title = LexicalIndex(field_weights={"title": 0.0, "description": 1.0}).build(docs)
    assert no_title.search("red")[0] == ["d"]
    only_title = LexicalIndex(field_weights={"title": 1.0}).build(docs)
    assert only_title.search("shade")[0] == []


def test_typo_is_tolerated_and_reported(index: LexicalIndex) -> None:
    ids = _ids(index, "wirless earbud")
    assert ids[0] == "e1"
    terms = {t.term: t for t in index.query_terms("wirless earbud")}
    assert terms["wireless"] == QueryTerm("wireless", TYPO_DISCOUNT, "typo", "wirless")
    assert terms["wireless"].weight < 1
    assert terms["earbud"] == QueryTerm("earbud", 1.0, "exact", "earbud")


def test_typo_match_scores_below_the_exact_spelling(index: LexicalIndex) -> None:
    exact = index.scores("wireless")
    typo = index.scores("wirless")
    e1 = index.ids.index("e1")
    assert 0 < typo[e1] < exact[e1]
    assert typo[e1] == pytest.approx(TYPO_DISCOUNT * exact[e1], rel=1e-5)


def test_two_typos_in_a_long_word_are_tolerated(index: LexicalIndex) -> None:
    terms = {t.term: t for t in index.query_terms("hedphonse")}
    assert terms["headphon"].source == "typo"
    assert terms["headphon"].weight == pytest.approx(TYPO_DISCOUNT**2)
    assert _ids(index, "hedphonse") == ["e2"]


def test_short_words_are_not_typo_expanded(index: LexicalIndex) -> None:
    assert index.query_terms("nux") == []  # "nut" is one edit away, but the word is short
    assert _ids(index, "nux") == []


def test_measures_are_not_typo_expanded_into_other_sizes() -> None:
    # a size the catalog lacks is a different size, not a misspelling of one it has: whole
    # numbers are never typo-expanded, and fractions and decimals are numbers too
    index = LexicalIndex().build(
        [
            ("w", {"title": "Flat Washer 1/16 in."}),
            ("k", {"title": "Electric Kettle 1.5L"}),
            ("b", {"title": "Drill Bit 3/8 in."}),
        ]
    )
    for query in ("3/16", "11/16", "12.5", "1.25"):
        assert index.query_terms(query) == [], query
        assert _ids(index, query) == [], query
    assert _ids(index, "3/16 in. drill bit")[0] == "b"


def test_a_typo_prefers_the_word_the_catalog_uses_more() -> None:
    # "conduet" is one edit from both; conduit is in five titles, conduct in one
    docs = [(f"p{i}", {"title": f"PVC Conduit {i} in."}) for i in range(5)]
    docs.append(("c", {"title": "Conduct Tester"}))
    index = LexicalIndex().build(docs)
    terms = sorted(index.query_terms("conduet"), key=lambda t: -t.weight)
    assert terms[0].term == "conduit"
    assert terms[0].weight == pytest.approx(TYPO_DISCOUNT)
    assert all(t.weight < terms[0].weight for t in terms[1:])
    assert _ids(index, "conduet")[:5] == [f"p{i}" for i in range(5)]


def test_a_slip_to_a_neighbouring_key_is_the_likelier_typo() -> None:
    assert near_keys("o", "p") and near_keys("a", "s") and not near_keys("a", "p")
    assert slip_cost("olastic", "plastic") < slip_cost("olastic", "elastic")
    index = LexicalIndex().build(
        [("p", {"title": "Plastic Pipe"}), ("e", {"title": "Elastic Cord"})]
    )
    best = max(index.query_terms("olastic"), key=lambda t: t.weight)
    assert best.term == "plastic"
    assert _ids(index, "olastic")[0] == "p"


def test_a_word_with_nothing_one_slip_away_is_looked_up_at_two() -> None:
    index = LexicalIndex().build(
        [
            ("m", {"title": "MARAZZI Porcelain Tile"}),
            ("g", {"title": "Garden Hose"}),
            ("w", {"title": "Warden Sign"}),
        ]
    )
    # "marrazi" (7 letters) is two slips from "marazzi", and nothing is one slip from it
    terms = {t.term: t for t in index.query_terms("marrazi tile")}
    assert terms["marazzi"].source == "typo"
    assert terms["marazzi"].weight == pytest.approx(TYPO_DISCOUNT**2)
    assert _ids(index, "marrazi")[0] == "m"
    # "garedn" is one slip from "garden": "warden", two slips away, is not looked up
    assert {t.term for t in index.query_terms("garedn")} == {"garden"}


def test_a_transposition_is_one_typo() -> None:
    index = LexicalIndex().build([("h", {"title": "Garden Hose"}), ("x", {"title": "Hoes"})])
    terms = {t.term: t for t in index.query_terms("garedn")}
    assert terms["garden"].weight == pytest.approx(TYPO_DISCOUNT)


# a catalog that writes some words joined and some apart
SPLIT_DOCS: list[tuple[str, dict[str, str]]] = [
    ("f1", {"title": "Coast LED Flashlight"}),
    ("f2", {"title": "Flash Drive 64 GB"}),
    ("f3", {"title": "Night Light Plug-In"}),
    ("w1", {"title": "LG 8,000 BTU Window Air Conditioner"}),
    ("w2", {"title": "Frigidaire Window Air Conditioner with Remote"}),
    ("w3", {"title": "Window Film"}),
    ("a1", {"title": "Air Filter 16 in."}),
    ("d1", {"title": "Indoor Door Mat"}),
    ("d2", {"title": "Round Metal Duct 10 in."}),
    ("t1", {"title": "Industrial Shelving"}),
    ("t2", {"title": "Hiking Trail Map"}),
    ("t3", {"title": "Indus River Print"}),
    ("b1", {"title": "Electric Toothbrush"}),
]


@pytest.fixture(scope="module")
def split_index() -> LexicalIndex:
    return LexicalIndex().build(SPLIT_DOCS)


def test_two_query_words_also_find_the_catalog_word_they_make(split_index: LexicalIndex) -> None:
    # "flash light": the flashlight first, though no title has both words apart
    assert _ids(split_index, "flash light")[0] == "f1"
    terms = {t.term: t for t in split_index.query_terms("flash light")}
    joined = terms["flashlight"]
    assert (joined.source, joined.typed) == ("compound", "flash light")
    # the joined word counts what the two words would, not its own (higher) rarity
    idf = {t: float(split_index.idf[split_index.vocab[t]]) for t in ("flash", "light")}
    rare = float(split_index.idf[split_index.vocab["flashlight"]])
    assert joined.weight == pytest.approx(min(1.0, (idf["flash"] + idf["light"]) / rare))
    assert terms["flash"].source == terms["light"].source == "exact"
    # two words the catalog never uses: their join is all the query can mean
    brush = {t.term: t for t in split_index.query_terms("tooth brush")}
    assert brush["toothbrush"].weight == 1.0
    assert _ids(split_index, "tooth brush") == ["b1"]


def test_words_are_not_joined_across_a_number_or_with_the_inch(
    split_index: LexicalIndex,
) -> None:
    assert "induct" not in {t.term for t in split_index.query_terms("10 in duct")}
    assert "indoor" not in {t.term for t in split_index.query_terms("36 in. 2 door mat")}
    assert "indoor" not in {t.term for t in split_index.query_terms("in door mat")}
    assert "indoor" in {t.term for t in split_index.query_terms("indoor mat")}
    assert _ids(split_index, "10 in duct")[0] == "d2"


def test_an_unknown_word_is_split_into_two_words_the_catalog_uses_together(
    split_index: LexicalIndex,
) -> None:
    terms = {t.term: t for t in split_index.query_terms("windowair conditioner")}
    for half in ("window", "air"):
        assert terms[half] == QueryTerm(half, TYPO_DISCOUNT, "split", "windowair")
    assert did_you_mean(split_index, "windowair conditioner") == "window air conditioner"
    # a half also typed as a word of its own is still suggested in its place
    assert did_you_mean(split_index, "windowair window") == "window air window"
    assert did_you_mean(split_index, "air windowair") == "air window air"
    assert set(_ids(split_index, "windowair")[:2]) == {"w1", "w2"}


def test_halves_no_product_uses_together_are_no_split(split_index: LexicalIndex) -> None:
    # "indus" and "trail" are both catalog words, but never in one title: a typo, not a split
    terms = split_index.query_terms("industrail shelving")
    assert not [t for t in terms if t.source == "split"]
    assert _ids(split_index, "industrail shelving")[0] == "t1"
    # a word the catalog knows is never split ("flashlight" is not "flash" + "light")
    assert not [t for t in split_index.query_terms("flashlight") if t.source == "split"]


def test_long_number_prefix_finds_the_code(index: LexicalIndex) -> None:
    assert _ids(index, "7400008") == ["h1"]
    assert index.query_terms("7400008") == [
        QueryTerm("740000801", PREFIX_DISCOUNT, "prefix", "7400008")
    ]


def test_full_number_matches_exactly(index: LexicalIndex) -> None:
    ids, scores = index.search("740000801")
    assert ids == ["h1"]
    assert index.query_terms("740000801") == [QueryTerm("740000801", 1.0, "exact", "740000801")]
    prefix = index.search("7400008")[1]
    assert prefix[0] == pytest.approx(PREFIX_DISCOUNT * scores[0], rel=1e-5)


def test_short_number_is_not_prefix_expanded(index: LexicalIndex) -> None:
    assert _ids(index, "7400") == []


def test_chinese_sub_word_query(index: LexicalIndex) -> None:
    ids = _ids(index, "简单")
    assert ids == ["z1", "z2"]  # title beats description
    # a query of several characters searches their pairs: 手机壳 shares only 机 with 耳机
    assert _ids(index, "蓝牙耳机") == ["z3"]
    assert _ids(index, "耳机") == ["z3"]
    assert set(_ids(index, "机")) == {"z1", "z3"}  # one character still works


def test_unknown_words_give_no_hits(index: LexicalIndex) -> None:
    ids, scores = index.search("zzqqxx", 10)
    assert ids == []
    assert len(scores) == 0
    assert not index.scores("zzqqxx").any()
    assert index.scores("zzqqxx").shape == (len(DOCS),)


def test_search_returns_only_positive_scores(index: LexicalIndex) -> None:
    ids, scores = index.search("hex bolt", k=len(DOCS))
    assert ids[0] == "h1"
    assert set(ids) == {"h1", "h2"}
    assert (scores > 0).all()
    assert len(ids) == len(scores)


def test_k_limits_the_hits(index: LexicalIndex) -> None:
    ids, scores = index.search("cordless drill", 2)
    assert ids == _ids(index, "cordless drill", 10)[:2]
    assert len(scores) == 2


def test_every_product_scores_are_aligned_with_ids(index: LexicalIndex) -> None:
    scores = index.scores("case")
    assert scores.shape == (len(index.ids),)
    assert np.flatnonzero(scores).tolist() == [index.ids.index("c1")]


def test_save_and_load_round_trip(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "ix")
    loaded = LexicalIndex.load(tmp_path / "ix")
    assert loaded.ids == index.ids
    assert loaded.vocab == index.vocab
    assert loaded.field_weights == index.field_weights
    assert (loaded.k1, loaded.b) == (index.k1, index.b)
    for query in ("cordless drill", "wirless earbud", "7400008", "简单", "zzqqxx"):
        np.testing.assert_array_equal(loaded.scores(query), index.scores(query))
        assert loaded.query_terms(query) == index.query_terms(query)
        assert loaded.search(query)[0] == index.search(query)[0]


def test_build_twice_replaces() -> None:
    index = LexicalIndex()
    index.build(DOCS)
    assert _ids(index, "wireless")
    index.build([("n1", {"title": "Garden Hose 50 ft."}), ("n2", {"title": "Hose Nozzle"})])
    assert index.ids == ["n1", "n2"]
    assert _ids(index, "wireless") == []
    assert "wireless" not in index.vocab
    assert _ids(index, "hose") == ["n2", "n1"]  # the shorter title first
    assert index.scores("hose").shape == (2,)


def test_empty_index_searches_to_nothing() -> None:
    for index in (LexicalIndex(), LexicalIndex().build([])):
        ids, scores = index.search("wireless earbuds", 10)
        assert ids == []
        assert len(scores) == 0
        assert index.scores("7400008").shape == (0,)
        assert index.search("wirless", 5)[0] == []


def test_build_products_indexes_every_field() -> None:
    products = [
        Product(
            id="p1",
            title="Trail Shoe",
            brand="TrailCraft",
            category="Sports & Outdoors > Running",
            attributes={"color": "teal"},
            description="grippy sole",
        ),
        Product(id="p2", title="Road Shoe"),
    ]
    fields = product_fields(products[0])
    assert fields["brand"] == "TrailCraft"
    assert "teal" in fields["attributes"]
    index = LexicalIndex().build_products(products)
    for query in ("trailcraft", "running", "teal", "grippy"):
        assert _ids(index, query) == ["p1"], query
    assert set(_ids(index, "shoe")) == {"p1", "p2"}


def test_pinyin_terms_match_as_typed_never_as_a_typo_of_a_word(tmp_path: Path) -> None:
    index = LexicalIndex().build(
        [
            ("tiles", {"title": "童趣岛 磁力片 60片"}),
            ("blocks", {"title": "Wooden building blocks"}),
        ]
    )
    assert index.search("pianos")[0] == []  # one slip from 片's pinyin "pian": no match
    assert index.search("cilipian")[0] == ["tiles"]  # typed in pinyin: found
    assert index.search("blokcs")[0] == ["blocks"]  # a typo of a word still is
    index.save(tmp_path)
    again = LexicalIndex.load(tmp_path)
    assert again.spelled == index.spelled and again.search("pianos")[0] == []


def test_postings_score_and_explain_as_the_sparse_matrix_does(index: LexicalIndex) -> None:
    """A query's postings are read in place; they must agree with the sparse product (to
    the bit, the order of the sums is the same) and with its rows, repeated terms too."""
    again = QueryTerm("drill", 0.5, "exact", "drill")
    terms = [*index.query_terms("cordless drill battery"), again]
    postings = index.postings(terms)
    columns = [index.vocab[t.term] for t in terms]
    sub = index.matrix[:, columns]
    expected = np.asarray(sub @ postings.weights, dtype=np.float32).ravel()
    assert np.array_equal(postings.scores(len(index.ids)), expected)
    docs = np.asarray([0, 3, 4, len(index.ids) - 1, 5])
    assert np.array_equal(postings.at(docs), sub[docs].toarray())
    assert postings.at(np.zeros(0, dtype=np.int64)).shape == (0, len(terms))


def test_typo_lookup_measures_fewer_terms_and_finds_what_measuring_all_finds() -> None:
    import random

    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    rng = random.Random(7)
    # a crowded vocabulary of few letters: many words sit one slip from ten or more others
    words = sorted({"".join(rng.choices("abcdeo", k=rng.randint(3, 9))) for _ in range(3_000)})
    products = [
        Product(id=f"p{i}", title=" ".join(rng.sample(words, 4))) for i in range(len(words) // 2)
    ]
    index = LexicalIndex().build_products(products)
    terms = sorted(index.vocab)

    def every_term(form: str, limit: int) -> set[str]:  # the scan without the letter filter
        near: set[str] = set()
        for size in range(len(form) - limit, len(form) + limit + 1):
            bucket = index._by_length.get(size, [])
            got = process.extract(form, bucket, scorer=OSA.distance, score_cutoff=limit, limit=10)
            near.update(term for term, _, _ in got)
        return near

    def slipped(word: str) -> str:
        at = rng.randrange(len(word))
        how = rng.choice(("swap", "drop", "add", "change"))
        if how == "swap" and at + 1 < len(word):
            return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        if how == "drop":
            return word[:at] + word[at + 1 :]
        if how == "add":
            return word[:at] + rng.choice("abcdeoz") + word[at:]
        return word[:at] + rng.choice("abcdeoz") + word[at + 1 :]

    forms = {slipped(slipped(rng.choice(terms))) for _ in range(300)}
    forms |= {slipped(rng.choice(terms)) for _ in range(300)} | {"zzzz", "abcdeo"}
    crowded = 0
    for form in sorted(forms):
        for limit in (1, 2):
            found = index._near({form: limit})
            assert found == every_term(form, limit), (form, limit)
            crowded += len(found) >= 10
    assert crowded > 50  # the ten-per-length cut was exercised, ties and all


def test_field_bits_say_which_fields_hold_each_term_and_are_saved(tmp_path: Path) -> None:
    index = LexicalIndex().build(
        [
            ("a", {"title": "Cordless Drill", "brand": "Drillco", "description": "cordless"}),
            ("b", {"title": "Hammer", "category": "Tools > Drill", "attributes": "color red"}),
        ]
    )
    names = index.fields
    terms = [QueryTerm(t, 1.0, "exact", t) for t in ("cordless", "drill", "red", "drillco")]
    bits = index.postings(terms).fields_at(np.asarray([0, 1]))
    assert bits is not None

    def held(doc: int, term: int) -> set[str]:
        return {f for i, f in enumerate(names) if int(bits[doc, term]) >> i & 1}

    assert held(0, 0) == {"title", "description"}
    assert held(0, 1) == {"title"}  # "drillco" is a term of its own
    assert held(0, 3) == {"brand"}
    assert held(1, 1) == {"category"}
    assert held(1, 2) == {"attributes"}
    assert held(1, 0) == set()  # b has no "cordless"
    index.save(tmp_path / "ix")
    loaded = LexicalIndex.load(tmp_path / "ix")
    assert loaded.fields == names
    np.testing.assert_array_equal(loaded.postings(terms).fields_at(np.asarray([0, 1])), bits)
    (tmp_path / "ix" / "fields.npy").unlink()  # as an index saved before bits were kept
    assert LexicalIndex.load(tmp_path / "ix").postings(terms).fields_at(np.asarray([0])) is None


def test_an_index_of_more_fields_than_bits_keeps_no_field_bits() -> None:
    weights = {f"f{i}": 1.0 for i in range(70)}
    index = LexicalIndex(field_weights=weights).build([("a", {"f0": "drill", "f69": "saw"})])
    assert index.field_bits is None
    assert index.search("saw")[0] == ["a"]
    small = LexicalIndex(field_weights={f"f{i}": 1.0 for i in range(12)})
    small.build([("a", {"f11": "saw"})])
    assert small.field_bits is not None and int(small.field_bits[0]) == 1 << 11
