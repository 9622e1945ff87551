"""Dense retrieval and fusion: encoders, the vector index and cache, RRF/convex, hybrid search."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from shopmind.build import open_search, run_build
from shopmind.catalog import Product
from shopmind.config import SearchConfig, Settings
from shopmind.embed import HashingEncoder, choose_encoder_name, make_encoder
from shopmind.embed.cache import encode_cached
from shopmind.index import VectorIndex, product_text
from shopmind.index.ann import IvfIndex
from shopmind.search import SearchEngine
from shopmind.search.hybrid import convex, ranks_of, rrf, scaled
from shopmind.search.retrieve import retrieve
from shopmind.store import Store


def products() -> list[Product]:
    rows = [
        ("a", "Oakly Sofa Loveseat, Grey", "Home > Furniture"),
        ("b", "Wireless Earbuds Pro", "Electronics > Audio"),
        ("c", "无线耳机 降噪 白色", "Electronics > Audio"),
        ("d", "Cast Iron Skillet 12 in.", "Home > Kitchen"),
        ("e", "Yoga Mat Non-Slip", "Sports > Fitness"),
    ]
    return [Product(id=i, title=t, category=c, price=10.0) for i, t, c in rows]


class CountingEncoder(HashingEncoder):
    """The real hashing encoder, counting how many texts it was asked to encode."""

    def __init__(self) -> None:
        super().__init__(dim=64)
        self.encoded = 0

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded += len(texts)
        return super().encode_documents(texts)


def test_rrf_and_convex_are_known_sums() -> None:
    lexical = np.array([3.0, 0.0, 1.0, 2.0])
    dense = np.array([0.1, 0.9, 0.0, 0.5])
    candidates = np.array([0, 1, 2, 3])
    assert ranks_of(lexical, candidates).tolist() == [1, 4, 3, 2]
    fused = rrf([lexical, dense], candidates, k=60)
    assert fused[0] == pytest.approx(1 / 61 + 1 / 63)
    assert fused[1] == pytest.approx(1 / 61)  # no lexical match: no lexical share
    assert fused[2] == pytest.approx(1 / 63)  # dense score 0 counts as absent
    assert scaled(np.array([2.0, 4.0, 3.0])).tolist() == [0.0, 1.0, 0.5]
    assert scaled(np.array([5.0, 5.0])).tolist() == [0.0, 0.0]
    both = convex(np.array([0.0, 10.0]), np.array([1.0, 0.0]), alpha=0.25)
    assert both.tolist() == pytest.approx([0.75, 0.25])


def test_hashing_encoder_is_deterministic_and_sees_sub_words() -> None:
    enc = HashingEncoder(dim=128)
    a, b, c = enc.encode_documents(["wireless earbuds", "wireless earphones", "cast iron pan"])
    assert np.allclose(enc.encode_query(["wireless earbuds"])[0], a)
    assert float(a @ b) > float(a @ c)
    assert np.linalg.norm(a) == pytest.approx(1.0, abs=1e-5)
    assert enc.encode_documents([]).shape == (0, 128)


def test_vector_index_search_upsert_and_round_trip(tmp_path: Path) -> None:
    enc = HashingEncoder(dim=64)
    texts = [product_text(p) for p in products()]
    index = VectorIndex(enc.name, [p.id for p in products()], enc.encode_documents(texts))
    ids, scores = index.search(enc.encode_query(["skillet"])[0], k=2)
    assert ids[0] == "d" and scores[0] >= scores[1]
    index.upsert(["d", "f"], enc.encode_documents(["Dutch Oven", "Skillet Lid"]))
    assert len(index.ids) == 6
    assert index.search(enc.encode_query(["skillet lid"])[0], k=1)[0] == ["f"]
    index.save(tmp_path / "v")
    again = VectorIndex.load(tmp_path / "v")
    assert again.ids == index.ids and np.allclose(again.vectors, index.vectors)
    assert np.allclose(again.vector_of("f"), index.vectors[5])  # type: ignore[arg-type]


def test_half_precision_scans_keep_the_float32_order() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(5_000, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex("test", [str(i) for i in range(5_000)], vectors)
    for q in vectors[:20] + rng.normal(scale=0.05, size=(20, 384)).astype(np.float32):
        q /= np.linalg.norm(q)
        exact, half = vectors @ q, index.scores(q)
        assert half.dtype == np.float32 and np.abs(half - exact).max() < 5e-4
        assert np.array_equal(np.argsort(-half)[:5], np.argsort(-exact)[:5])
    first = vectors[0].copy()
    index.upsert(["0"], -first[None])  # a changed vector is scanned as changed
    assert index.scores(first)[0] < -0.99


def test_dense_ranks_counted_among_the_nearest_equal_the_catalog_count() -> None:
    rng = np.random.default_rng(5)
    products = [
        Product(id=f"p{i}", title=f"item {i} {'oak' if i % 7 else 'pine'}") for i in range(400)
    ]
    enc = HashingEncoder(dim=32)
    engine = SearchEngine.from_products(
        products, encoder=enc, config=SearchConfig(dense_depth=50, feedback_depth=0)
    )
    assert engine.dense is not None
    got = retrieve(engine.index, engine.dense, engine.config, "oak item 12")
    assert got.dense is not None and got.nearest is not None and len(got.nearest) == 50
    for doc in [*np.argsort(-got.dense)[:60], *rng.integers(0, 400, 20)]:
        assert got.dense_rank(int(doc)) == 1 + int(np.count_nonzero(got.dense > got.dense[doc]))


def test_product_text_adds_what_the_title_lacks() -> None:
    p = Product(id="x", title="Loveseat", brand="Oakly", category="Home > Furniture > Sofas")
    assert product_text(p) == "Loveseat | Oakly | Sofas"
    q = Product(id="y", title="Oakly Sofas Loveseat", brand="Oakly", category="Home > Sofas")
    assert product_text(q) == "Oakly Sofas Loveseat"


def test_the_vector_cache_encodes_only_new_texts(tmp_path: Path) -> None:
    enc = CountingEncoder()
    first = encode_cached(enc, ["a b", "c d"], tmp_path, progress=False)
    second = encode_cached(enc, ["c d", "a b", "e f"], tmp_path, progress=False)
    assert enc.encoded == 3
    assert np.allclose(second[0], first[1]) and np.allclose(second[1], first[0])


def test_encoder_factory_names_the_known_ones_and_picks_by_language() -> None:
    with pytest.raises(ValueError, match="known encoders: hashing, minilm, use"):
        make_encoder("bert")
    assert choose_encoder_name({"en"}) == "minilm"
    assert choose_encoder_name({"en", "zh"}) == "use"


def test_hybrid_search_falls_back_to_meaning_and_explains_the_fusion() -> None:
    engine = SearchEngine.from_products(
        products(),
        encoder=HashingEncoder(dim=256),
        config=SearchConfig(fusion="rrf", dense_depth=2, min_similarity=0.0),
    )
    result = engine.search("earbudzzz", k=3)  # no word of it is in the catalog, nor near
    assert result.hits, "the dense retriever must still find something"
    assert result.hits[0].product.id == "b"
    tree = result.hits[0].reasons.as_dict()
    labels = [c["label"] for c in tree["children"]]
    assert labels[0] == "rank"
    assert any(x.startswith("semantic (hashing-256): no query word") for x in labels)
    assert "fusion: rrf" in labels
    lexical_hit = engine.search("wireless earbuds", k=1).hits[0]
    labels = [c["label"] for c in lexical_hit.reasons.as_dict()["children"]]
    assert "lexical (BM25F)" in labels and "semantic (hashing-256)" in labels


def test_convex_fusion_and_mismatched_indexes() -> None:
    engine = SearchEngine.from_products(
        products(), encoder=HashingEncoder(), config=SearchConfig(fusion="convex", alpha=0.8)
    )
    assert engine.search("yoga mat", k=1).hits[0].product.id == "e"
    scores = engine.scores("yoga mat")
    assert scores.shape == (5,) and int(np.argmax(scores)) == 4
    assert engine.dense is not None
    bad = VectorIndex("hashing-256", ["z"], np.zeros((1, 256), dtype=np.float32))
    with pytest.raises(ValueError, match="different products"):
        SearchEngine(
            engine.index,
            engine.columns,
            engine.lookup,
            dense=type(engine.dense)(bad, engine.dense.encoder),
        )


def _semantic(hit_reasons: dict[str, object]) -> dict[str, object]:
    children = hit_reasons["children"]
    assert isinstance(children, list)
    return next(c for c in children if str(c["label"]).startswith("semantic"))


@pytest.mark.parametrize("source", ["lexical", "fused"])
def test_feedback_refines_the_query_vector_and_says_so(source: str) -> None:
    catalog = [*products(), Product(id="f", title="Bluetooth Earphones", price=10.0)]
    config = SearchConfig(feedback_depth=2, feedback_weight=1.0, feedback_from=source)  # type: ignore[arg-type]
    engine = SearchEngine.from_products(catalog, encoder=HashingEncoder(dim=256), config=config)
    plain = SearchEngine.from_products(
        catalog, encoder=HashingEncoder(dim=256), config=SearchConfig(feedback_depth=0)
    )
    got, before = engine.search("wireless earbuds", k=3), plain.search("wireless earbuds", k=3)
    assert got.hits[0].product.id == before.hits[0].product.id == "b"
    semantic = _semantic(got.hits[0].reasons.as_dict())
    labels = [c["label"] for c in semantic["children"]]  # type: ignore[index]
    assert "query vector refined by the top products (feedback)" in labels
    assert all(
        "feedback" not in c["label"]
        for c in _semantic(before.hits[0].reasons.as_dict())["children"]
    )  # type: ignore[index]
    # the refined vector moves the scores, never the set of products a shopper is shown
    assert not np.allclose(engine.scores("wireless earbuds"), plain.scores("wireless earbuds"))
    assert got.total == before.total


def test_a_typo_is_also_encoded_as_corrected() -> None:
    engine = SearchEngine.from_products(products(), encoder=HashingEncoder(dim=256))
    hit = engine.search("wirless earbuds", k=1).hits[0]
    assert hit.product.id == "b"
    labels = [c["label"] for c in _semantic(hit.reasons.as_dict())["children"]]  # type: ignore[index]
    assert "query also read as: wireless earbuds" in labels


def test_a_build_saves_vectors_and_serving_uses_them(store: Store, settings: Settings) -> None:
    store.upsert_products(products())
    hashing = SearchConfig(encoder="hashing")
    run_build(store, settings.home, settings.events, search=hashing)
    engine = open_search(settings.home, store, hashing)
    assert engine.dense is not None and engine.dense.encoder.name == "hashing-256"
    assert engine.dense.vectors.ids == engine.index.ids
    assert engine.search("sofa", k=1).hits[0].product.id == "a"
    off = open_search(settings.home, store, SearchConfig(encoder="none"))
    assert off.dense is None
    lexical_only = run_build(store, settings.home, settings.events)  # no search config
    assert lexical_only.products == 5
    assert open_search(settings.home, store, hashing).dense is None


def _clustered(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dim))
    v = centres[rng.integers(0, 20, n)] + 0.3 * rng.normal(size=(n, dim))
    out: np.ndarray = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
    return out


def test_the_approximate_index_finds_the_nearest_and_round_trips(tmp_path: Path) -> None:
    vectors = _clustered(4_000, 32, 1)
    ann = IvfIndex.build(vectors, seed=0)
    assert ann.lists == 63 and ann.probes == 8 and ann.rows == 4_000
    overlap = []
    for q in vectors[:50]:
        rows, sims = ann.search(q, 10)
        exact = np.argsort(-(vectors @ q))[:10]
        overlap.append(len(set(rows) & set(exact)) / 10)
        np.testing.assert_allclose(sims, vectors[rows] @ q, atol=1e-5)  # exact scores
        assert np.all(np.diff(sims) <= 0)
    assert np.mean(overlap) >= 0.9
    ann.save(tmp_path / "v.ivf")
    again = IvfIndex.load(tmp_path / "v.ivf", probes=63)  # every cluster: exact
    for q in vectors[50:60]:
        assert list(again.search(q, 10)[0]) == list(np.argsort(-(vectors @ q))[:10])


def test_clusters_are_reused_for_a_catalog_of_about_the_same_size() -> None:
    vectors = _clustered(4_000, 32, 2)
    trained = IvfIndex.build(vectors, seed=0)
    fewer = trained.refilled(vectors[:3_900])  # a re-index after deletes: no k-means
    assert (fewer.rows, fewer.lists, fewer.probes) == (3_900, trained.lists, trained.probes)
    rows, _ = fewer.search(vectors[0], 5)
    assert rows[0] == 0 and rows.max() < 3_900
    assert trained.fits(vectors[:3_900]) and not trained.fits(_clustered(40_000, 32, 3))
    assert not trained.fits(_clustered(4_000, 16, 4))


def test_with_few_clusters_probed_unknown_similarities_take_the_floor() -> None:
    catalog = [
        Product(id=f"p{i}", title=f"{w} {t} {i}", price=1.0)
        for i, (w, t) in enumerate(
            (w, t)
            for w in ("oak", "pine", "steel", "glass", "wool")
            for t in ("table", "lamp") * 60
        )
    ]
    config = SearchConfig(
        encoder="hashing", dense_depth=30, feedback_depth=0, ann_min_products=1, ann_probes=1
    )
    engine = SearchEngine.from_products(catalog, encoder=HashingEncoder(), config=config)
    assert engine.dense is not None and engine.dense.ann is not None
    got = retrieve(engine.index, engine.dense, engine.config, "steel lamp")
    assert got.dense is not None and got.nearest is None
    vector = engine.dense.encoder.encode_query(["steel lamp"])[0]
    exact = engine.dense.vectors.vectors @ vector
    is_exact = np.isclose(got.dense, exact, atol=1e-5)
    floor = got.dense.min()
    assert np.all(is_exact | (got.dense == floor)) and not is_exact.all()
    rows, _ = engine.dense.ann.search(vector, 30)
    assert is_exact[rows].all()  # the index's nearest: their real similarity
    matches = np.sort(got.lexical[got.lexical > 0])[::-1]
    assert len(matches) > 150  # more word matches than get a similarity (5 per nearest)
    assert is_exact[got.lexical > matches[149]].all()  # the best of them do
    known = is_exact
    for doc in np.flatnonzero(known)[:40]:  # ranks among every similarity known
        assert got.dense_rank(int(doc)) == 1 + int(np.count_nonzero(got.dense > got.dense[doc]))
    assert engine.search("steel lamp", k=5).hits[0].product.title.startswith("steel lamp")


def test_a_large_catalog_is_searched_through_the_approximate_index(
    store: Store, settings: Settings
) -> None:
    words = ["oak", "pine", "steel", "glass", "wool", "linen", "brass", "clay"]
    things = ["table", "chair", "lamp", "shelf", "rug", "vase", "bench", "desk"]
    catalog = [
        Product(id=f"p{i}", title=f"{words[i % 8]} {things[i // 8 % 8]} {i}", price=1.0 + i)
        for i in range(600)
    ]
    exact_config = SearchConfig(encoder="hashing", dense_depth=40)
    ann_config = exact_config.model_copy(update={"ann_min_products": 500, "ann_probes": 10_000})
    exact = SearchEngine.from_products(catalog, encoder=HashingEncoder(), config=exact_config)
    ann = SearchEngine.from_products(catalog, encoder=HashingEncoder(), config=ann_config)
    assert exact.dense is not None and exact.dense.ann is None
    assert ann.dense is not None and ann.dense.ann is not None  # 600 >= 500
    for q in ["oak table", "glass lamp 17", "wool"]:
        # every cluster probed: the same hits, up to float16 (the exact scan) against
        # float32 (the index) on near-equal hashing similarities
        got = [h.product.id for h in ann.search(q, k=10).hits]
        want = [h.product.id for h in exact.search(q, k=10).hits]
        assert got[0] == want[0] and len(set(got) & set(want)) >= 8
    # a re-index (LiveSearch) hands over the clusters: the same centroids, no k-means
    assert ann.dense.ann is not None
    again = SearchEngine.from_products(
        catalog[:590], encoder=HashingEncoder(), config=ann_config, trained=ann.dense.ann
    )
    assert again.dense is not None and again.dense.ann is not None
    assert again.dense.ann.rows == 590
    centroids = ann.dense.ann.index.quantizer.reconstruct_n(0, ann.dense.ann.lists)
    np.testing.assert_array_equal(
        again.dense.ann.index.quantizer.reconstruct_n(0, again.dense.ann.lists), centroids
    )
    store.upsert_products(catalog)
    run_build(store, settings.home, settings.events, search=ann_config)
    served = open_search(settings.home, store, ann_config)
    assert served.dense is not None and served.dense.ann is not None
    assert served.dense.ann.rows == 600  # read from the build, not made again
    assert served.search("brass desk", k=1).hits[0].product.title.startswith("brass")


@pytest.mark.parametrize(
    ("encoder", "query", "expected"),
    [
        ("minilm", "couch", "a"),  # no shared word: only meaning links couch and sofa
        ("use", "wireless earphones", "c"),  # English query, Chinese title
    ],
)
def test_real_pretrained_encoders_match_by_meaning(encoder: str, query: str, expected: str) -> None:
    enc = make_encoder(encoder)
    texts = [product_text(p) for p in products()]
    index = VectorIndex(enc.name, [p.id for p in products()], enc.encode_documents(texts))
    ids, _ = index.search(enc.encode_query([query])[0], k=2)
    assert expected in ids, (ids, query)


def test_page_ranks_count_every_higher_score_once() -> None:
    from shopmind.search.engine import _ranks

    rng = np.random.default_rng(2)
    for _ in range(100):
        values = rng.integers(0, 30, int(rng.integers(1, 500))).astype(np.float32)
        page = values[rng.integers(0, len(values), int(rng.integers(0, 12)))]
        expected = [1 + int(np.count_nonzero(values > v)) for v in page]
        assert _ranks(values, page).tolist() == expected
