"""One typed settings tree: defaults in code, then a TOML file, then ``SHOPMIND_*`` variables.

Every knob is declared once here with its default and bounds; stages receive their own
section (``settings.ingest``, ``settings.serve``...), never the whole tree.

Sources, later wins:

1. the defaults below;
2. a TOML file: ``--config FILE``, else ``$SHOPMIND_CONFIG``, else ``HOME/shopmind.toml``
   when it exists (sections as below, e.g. ``[serve] port = 9000``);
3. environment variables ``SHOPMIND_<KEY>`` and ``SHOPMIND_<SECTION>__<KEY>``
   (e.g. ``SHOPMIND_HOME``, ``SHOPMIND_SERVE__PORT=9000``);
4. explicit overrides (the CLI's ``--home``).

An unknown key or an invalid value raises :class:`~shopmind.errors.ConfigError` naming the
key, where it came from and the allowed keys or values.

Example::

    settings = load(home="/srv/shop")
    settings.store_url  # 'sqlite:////srv/shop/shopmind.db'
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from shopmind.errors import ConfigError
from shopmind.events.models import EVENT_TYPES

ENV_PREFIX = "SHOPMIND_"
CONFIG_ENV = "SHOPMIND_CONFIG"
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"  # the CLI's and the server's logs
CONFIG_FILE_NAME = "shopmind.toml"

_toml_file: ContextVar[Path | None] = ContextVar("_toml_file", default=None)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Section):
    """Where and how data is stored."""

    url: str = Field(
        default="",
        description=(
            "Store URL: sqlite:///path/shop.db, or postgresql://user:password@host:5432/db "
            "for a store shared by several serving nodes; empty = sqlite file in the home."
        ),
    )
    connect_timeout_s: float = Field(
        default=5.0, gt=0.0, le=300.0, description="PostgreSQL: how long a connect may take."
    )
    busy_timeout_ms: int = Field(default=30_000, ge=0, le=600_000)
    cache_mb: int = Field(
        default=64, ge=1, le=65_536, description="Page cache per connection, in MiB."
    )
    synchronous: Literal["full", "normal"] = Field(
        default="full", description="full: fsync every commit; normal: fsync at checkpoints."
    )


class IngestConfig(_Section):
    """Batch ingest and data-quality checks."""

    chunk_rows: int = Field(default=5_000, ge=1, le=1_000_000)
    max_reported_errors: int = Field(default=20, ge=1, le=10_000)
    bot_events_per_minute: int = Field(
        default=120, ge=2, description="A visitor with this many events inside 60 s is bot-like."
    )
    future_tolerance_seconds: float = Field(default=300.0, ge=0.0)
    price_outlier_z: float = Field(
        default=3.5, gt=0.0, description="Robust z-score of log price above which it is flagged."
    )
    progress: bool = Field(default=True, description="Show progress bars on stderr.")


class EventsConfig(_Section):
    """How behaviour turns into interaction strength."""

    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "view": 1.0,
            "click": 2.0,
            "cart": 4.0,
            "purchase": 8.0,
            "rating": 1.0,
            "ad_click": 2.0,
        },
        description="Weight per event type; types not listed weigh 0. A rating's weight is "
        "scaled by value / 5.",
    )
    half_life_days: float = Field(
        default=30.0, ge=0.0, description="Time decay half-life before the newest event; 0 = off."
    )

    @field_validator("weights")
    @classmethod
    def _known_types(cls, value: dict[str, float]) -> dict[str, float]:
        for kind, weight in value.items():
            if kind not in EVENT_TYPES:
                raise ValueError(f"unknown event type '{kind}'; allowed: {', '.join(EVENT_TYPES)}")
            if weight < 0:
                raise ValueError(f"weight of '{kind}' is negative; use a number >= 0")
        return value


class MerchRule(_Section):
    """A merchandising rule: for one query, pin products on top, boost or bury others."""

    query: str = Field(min_length=1, description="The query it applies to (case-insensitive).")
    pin: list[str] = Field(default_factory=list, description="Product ids shown first, in order.")
    boost: dict[str, float] = Field(
        default_factory=dict, description="Product id -> score factor (> 1 lifts, < 1 sinks)."
    )


class SearchConfig(_Section):
    """Product search: the encoder and how the lexical and dense retrievers are fused."""

    encoder: Literal["auto", "minilm", "use", "hashing", "none"] = Field(
        default="auto",
        description="auto: 'use' when the catalog has Chinese, else 'minilm'; none: lexical only.",
    )
    fusion: Literal["rrf", "convex"] = Field(
        default="convex",
        description="convex: alpha * lexical + (1 - alpha) * dense, each scaled to [0, 1]; "
        "rrf: reciprocal-rank fusion.",
    )
    alpha: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Lexical weight of the convex fusion (0.5: equal, until one is learned).",
    )
    rrf_k: int = Field(default=60, ge=1)
    dense_depth: int = Field(
        default=1_000, ge=1, le=100_000, description="How many nearest products are fused."
    )
    feedback_depth: int = Field(
        default=10,
        ge=0,
        le=1_000,
        description="Pseudo-relevance feedback: the query vector moves toward the mean of the "
        "top products' vectors (Rocchio); 0 turns it off.",
    )
    feedback_weight: float = Field(
        default=0.5, ge=0.0, le=10.0, description="The weight of that mean against the query's."
    )
    feedback_from: Literal["lexical", "fused"] = Field(
        default="lexical",
        description="lexical: the word matches' top products (free); fused: the first fusion's "
        "top (one more pass over the catalog's vectors, about 8 ms on 55k products).",
    )
    synonyms: list[list[str]] = Field(
        default_factory=list,
        description='Groups of words or phrases that mean the same, e.g. [["couch", "sofa"]].',
    )
    rules: list[MerchRule] = Field(default_factory=list)
    bury_out_of_stock: bool = Field(
        default=False, description="Out-of-stock products sink below those in stock."
    )
    meaning_z: float = Field(
        default=2.0,
        ge=0.0,
        le=10.0,
        description="A product no query word matches joins the results when its similarity "
        "to the query is this many standard deviations above the mean similarity of the "
        "products of its language (calibrated per query, encoder and language pair).",
    )
    meaning_relative: float = Field(
        default=0.7,
        ge=0.0,
        le=1.0,
        description="Or when its similarity is at least this share of the best word match's "
        "(a catalog much of which is the query's kind of product).",
    )
    min_similarity: float | None = Field(
        default=None,
        ge=-1.0,
        le=1.0,
        description="A fixed cosine floor instead of meaning_z (0.3 before calibration); "
        "unset: calibrated.",
    )
    ann_min_products: int = Field(
        default=500_000,
        ge=1,
        description="Catalogs with at least this many products find their nearest products "
        "through an approximate index (IVF, built with the index and saved in the build) "
        "instead of reading every vector; exact below it.",
    )
    ann_lists: int = Field(
        default=0, ge=0, description="The approximate index's clusters (0: about √products)."
    )
    ann_probes: int = Field(
        default=0,
        ge=0,
        description="Clusters a query scans (0: a tenth of them, at least 8); more find more "
        "of the truly nearest products, slower.",
    )


class TrainConfig(_Section):
    """Fine-tuning the encoder on the shop's own signals (``shopmind train encoder``).

    Training stops by ``max_seconds`` (15 minutes) or after ``epochs``, keeping its best
    check; on 2 CPU cores MiniLM's query tower (the default) steps through about 98,000
    pairs in that time (nearly two epochs of 50,000), whole fine-tuning about 27,000 once
    (benchmarks/README.md, Training).
    """

    method: Literal["auto", "query", "finetune", "adapter"] = Field(
        default="auto",
        description="auto: a query tower for MiniLM, an adapter for encoders that cannot "
        "be trained here (USE); query: tune MiniLM's query side against the pretrained "
        "product vectors (minutes, no catalog re-encoding); finetune: MiniLM whole (the "
        "catalog is encoded again); adapter: a linear adapter over any encoder (seconds).",
    )
    max_pairs: int = Field(default=50_000, ge=1, description="Pairs beyond this are sampled.")
    max_seconds: float = Field(
        default=900.0, gt=0, description="Training stops (keeping its best check) by then."
    )
    epochs: int = Field(default=2, ge=1, le=100)
    batch_size: int = Field(
        default=64,
        ge=2,
        le=4_096,
        description="Pairs per step; in whole fine-tuning and adapters the batch's other "
        "products are negatives (a query tower's are the whole catalog).",
    )
    learning_rate: float = Field(default=5e-5, gt=0, le=1.0)
    warmup: float = Field(default=0.1, ge=0, lt=1, description="Share of steps warming up.")
    weight_decay: float = Field(default=0.01, ge=0)
    max_grad_norm: float = Field(default=1.0, gt=0)
    freeze_layers: int = Field(
        default=3,
        ge=0,
        le=48,
        description="Whole fine-tuning: lower transformer layers kept frozen (with the "
        "embeddings); half of MiniLM's six makes a step 1.5 times as fast on the CPU.",
    )
    max_tokens: int = Field(default=64, ge=8, le=512, description="Tokens kept per text.")
    scale: float = Field(default=20.0, gt=0, description="Inverse temperature of the loss.")
    softmax_products: int = Field(
        default=200_000,
        ge=1_000,
        description="Query tower: a step's softmax runs over the whole catalog up to this "
        "many products, over a random sample of this many beyond.",
    )
    hard_negatives: bool = Field(
        default=True,
        description="Whole fine-tuning and adapters: add one hard negative per pair, a "
        "judged-irrelevant product, else one the current index ranks high that is not a "
        "positive (a query tower's softmax has every product).",
    )
    valid_fraction: float = Field(default=0.1, gt=0, lt=1, description="Anchors held out.")
    valid_fillers: int = Field(default=1_000, ge=0, description="Random products in the pool.")
    checks_per_epoch: int = Field(default=2, ge=1, le=100)
    patience: int = Field(default=2, ge=1, description="Checks without a gain before stopping.")
    min_relevance: float = Field(
        default=2.5, description="A judged product is a positive from this grade up."
    )
    min_pairs: int = Field(default=50, ge=2)
    adapter_epochs: int = Field(default=60, ge=1, le=10_000)
    adapter_learning_rate: float = Field(default=1e-3, gt=0, le=1.0)
    seed: int = 0


class RecommendConfig(_Section):
    """Recommendations: the blend served, what is left out, and diversity."""

    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "ease": 1.0,
            "transitions": 0.5,
            "content": 0.3,
            "popular": 0.1,
            "sequential": 1.0,
        },
        description="Blend weight per model (ease, itemknn, als, transitions, content, popular, "
        "sequential); "
        "each model's scores are standardised per visitor first. 0 turns one off.",
    )
    als_factors: int = Field(
        default=64, ge=2, le=1_024, description="ALS (when weighted): factors per product."
    )
    als_iterations: int = Field(
        default=15, ge=1, le=200, description="ALS (when weighted): alternating sweeps."
    )
    ease_l2: float = Field(default=100.0, gt=0, description="EASE's L2 regularisation.")
    recency: float = Field(
        default=0.8, gt=0, le=1, description="Weight of the i-th newest event: recency ** i."
    )
    max_ease_products: int = Field(
        default=20_000, ge=1, description="Above this catalog size ItemKNN replaces EASE."
    )
    exclude: Literal["purchased", "seen", "none"] = Field(
        default="purchased",
        description="Leave out what the visitor bought (default), everything they touched, "
        "or nothing.",
    )
    repeat_categories: list[str] = Field(
        default_factory=list,
        description="Categories (and their subtrees) of consumables that may be bought again.",
    )
    buy_again: float = Field(
        default=1.0,
        ge=0,
        description="Weight of buy-again against the blend's best (1.0: a visitor's most bought "
        "again product ties with it); 0 leaves out everything bought, as before.",
    )
    rebuy_min_rate: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="A bought product comes back when at least this share of its buyers "
        "bought it in two or more orders (shrunk towards the shop's own share).",
    )
    max_per_category: int = Field(
        default=0, ge=0, description="Diversity: at most this many per leaf category (0: off)."
    )
    history: int = Field(default=50, ge=1, le=1_000, description="Newest events read per visitor.")
    sequential_min_visitors: int = Field(
        default=1_000,
        ge=1,
        description="The transformer is trained only when this many visitors have two or "
        "more events (below that it cannot learn more than the other models).",
    )
    sequential_seconds: float = Field(
        default=300.0, gt=0, description="The transformer's training budget per fit."
    )

    @field_validator("weights")
    @classmethod
    def _known_models(cls, value: dict[str, float]) -> dict[str, float]:
        known = {"ease", "itemknn", "als", "transitions", "content", "popular", "sequential"}
        for name, weight in value.items():
            if name not in known:
                raise ValueError(f"unknown model '{name}'; allowed: {', '.join(sorted(known))}")
            if weight < 0:
                raise ValueError(f"the weight of '{name}' must not be negative")
        return value


class RankConfig(_Section):
    """The CTR/CVR ranking stage (``shopmind train ranker``) and how serving uses it."""

    enabled: bool = Field(
        default=True,
        description="Pass search and recommendation candidates through the trained ranker "
        "when one exists (false: retrieval order only).",
    )
    candidates: int = Field(
        default=200, ge=1, le=2_000, description="Candidates the ranker scores per request."
    )
    weight: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="Weight of the ranker's order against the retrieval order (reciprocal-rank "
        "blend, k = 10): at 0.3 the ranker's favourite moves up about five places; 1 = pCTR "
        "order alone. The ranker does not read the query, so search keeps relevance first.",
    )
    objective: Literal["ctr", "ctcvr"] = Field(
        default="ctr",
        description="Rank by click probability, or by click-and-purchase (pCTR * pCVR) when "
        "the model learned purchases.",
    )
    reasons: int = Field(default=3, ge=0, le=20, description="Top feature contributions shown.")
    history: int = Field(
        default=10,
        ge=0,
        le=200,
        description="Newest products the model attends over (10 beat 20 and 50 on MovieLens' "
        "validation AUC: recent taste matters most).",
    )
    dim: int = Field(default=8, ge=2, le=128, description="Embedding size per field.")
    ensemble: int = Field(
        default=3, ge=1, le=10, description="Nets trained with consecutive seeds, averaged."
    )
    cross_layers: int = Field(default=2, ge=0, le=6)
    cross_rank: int = Field(
        default=32,
        ge=0,
        le=1_024,
        description="Rank of the cross layers' weights (DCN-v2's low-rank form); 0 = full.",
    )
    hidden: list[int] = Field(default_factory=lambda: [128, 64])
    dropout: float = Field(default=0.2, ge=0.0, lt=1.0)
    lr: float = Field(default=1e-3, gt=0.0, le=1.0)
    weight_decay: float = Field(default=1e-2, ge=0.0)
    batch: int = Field(default=1_024, ge=8, le=65_536)
    max_epochs: int = Field(default=10, ge=1, le=1_000)
    checks_per_epoch: int = Field(default=4, ge=1, le=100)
    patience: int = Field(
        default=3,
        ge=1,
        description="Stop after this many validation checks without an AUC gain (CTR models "
        "overfit after about one epoch).",
    )
    max_seconds: float = Field(default=600.0, gt=0)
    min_count: int = Field(
        default=2, ge=1, description="Values seen fewer times in training share one code."
    )
    min_rows: int = Field(default=50, ge=10, description="Fewest training rows accepted.")
    valid_fraction: float = Field(default=0.1, gt=0.0, lt=0.5)
    click_window_seconds: float = Field(
        default=1_800.0, gt=0, description="A click this soon after an impression is its click."
    )
    purchase_window_seconds: float = Field(
        default=86_400.0, gt=0, description="A purchase this soon after an impression counts."
    )
    seed: int = 0


class ServeConfig(_Section):
    """The HTTP API."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65_535)
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Server processes on one port, for throughput on several cores (Python "
        "runs one request's Python code at a time per process); each loads the models, and a "
        "catalog write reaches them all within a second.",
    )
    math_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Math threads (BLAS, PyTorch) per server process. Concurrent requests "
        "already use the cores; more threads per call spin between kernels and took a "
        "third of the CPU of /recommend (measured on 2 cores).",
    )
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1_024)
    max_batch: int = Field(default=10_000, ge=1, description="Most rows in one batch request.")
    max_page_size: int = Field(default=1_000, ge=1)
    key_rate: float = Field(
        default=100.0, gt=0, description="Requests a second one API key may make (per process)."
    )
    key_burst: int = Field(default=200, ge=1, description="Requests a key may save up for a burst.")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    search_threads: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Searches a server process computes at once off the event loop (hybrid, "
        "ranked or with ads); the others wait their turn, first come first served. Measured on "
        "2 cores: concurrent hybrid searches, each reading every product vector, slowed each "
        "other (two processes, one at a time each: 190 -> 216 searches/s, p99 84-119 -> 51-76 "
        "ms). 0: the cores over serve.workers, at least 1.",
    )
    heap_settle_s: float = Field(
        default=10.0,
        ge=0,
        description="Seconds between freezes of a server process's long-lived heap, out of "
        "the garbage collector's full passes (which stopped a search process for up to 300 ms "
        "and took 6-8% of its CPU, measured); 0: leave the collector as Python sets it.",
    )


class DemoConfig(_Section):
    """The bundled demo shop."""

    seed: int = 42
    visitors: int = Field(default=300, ge=1, le=100_000)


class AdsConfig(_Section):
    """Sponsored products: where ads go, who may see them, and how clicks are priced.

    ``quality_floor`` is 0.3 cosine, the bar organic search set for a product found by meaning
    alone before its floor was calibrated per language (``search.meaning_z``; the fixed
    ``search.min_similarity`` remains as an option), so an ad shows only where search would
    have shown the product. Measured on the demo catalog's shopper queries: with MiniLM
    (English), 69% of query-product pairs of the query's own category reach 0.3 and 0.8% of
    pairs from other categories do; with USE (Chinese and English), 47% and 0.1%. Without
    vectors the quality is the product's lexical score over the best match's, where 0.3
    keeps products that match a real part of the query.
    """

    enabled: bool = Field(default=True, description="Serve sponsored products at all.")
    search_slots: list[int] = Field(
        default_factory=lambda: [1],
        description="1-based positions in a search result page that sponsored products take.",
    )
    recommend_slots: list[int] = Field(
        default_factory=lambda: [3],
        description="1-based positions in a recommendation list that sponsored products take.",
    )
    quality_floor: float = Field(
        default=0.3, ge=0.0, le=1.0, description="Relevance in [0, 1] below which no ad shows."
    )
    frequency_cap: int = Field(
        default=3, ge=0, description="Impressions of one campaign per visitor per UTC day; 0 = off."
    )
    reserve_price: float = Field(
        default=0.05, ge=0.0, description="Lowest price per click; a lower bid never shows."
    )
    price_increment: float = Field(
        default=0.01, ge=0.0, description="What a winner pays above the score that it beat."
    )
    pacing_slack: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="Share of the daily budget a campaign may spend ahead of the even line "
        "through the UTC day; ahead of the line it enters fewer auctions.",
    )
    attribution_hours: float = Field(
        default=24.0, gt=0.0, description="A purchase this soon after an ad click converts it."
    )
    purchase_value: Literal["price_paid", "quantity"] = Field(
        default="price_paid",
        description="What a purchase event's value holds: the price paid (revenue = value), "
        "or the quantity (revenue = value * the product's price). No value: the price.",
    )
    prior_ctr: float = Field(
        default=0.02, gt=0.0, lt=1.0, description="Click rate assumed for an ad without history."
    )
    prior_impressions: float = Field(
        default=200.0, gt=0.0, description="How many impressions the prior click rate weighs."
    )
    recent_events: int = Field(
        default=20, ge=1, le=1_000, description="Newest events read of a visitor for targeting."
    )
    seed: int = Field(default=0, description="Seed of the pacing throttle's random draws.")

    @field_validator("search_slots", "recommend_slots")
    @classmethod
    def _positions(cls, value: list[int]) -> list[int]:
        if any(slot < 1 for slot in value):
            raise ValueError("slots are 1-based positions; use numbers >= 1")
        if len(set(value)) != len(value):
            raise ValueError("a slot is listed twice; list each position once")
        return sorted(value)


class AssistantConfig(_Section):
    """The shop assistant (``POST /assistant``, ``shopmind ask``): grounded answers from the
    catalog, the shop's documents and its past answers, and shopping by conversation."""

    encoder: str = Field(
        default="auto",
        description="Encoder of questions, answers and passages: auto = the search engine's "
        "(USE for a Chinese and English shop), or an encoder name (use, minilm, hashing).",
    )
    min_confidence: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Below this confidence the assistant says it does not know and offers a "
        "person instead of answering.",
    )
    max_message_chars: int = Field(default=1_000, ge=10, le=20_000)
    session_minutes: float = Field(
        default=30.0, gt=0, description="A conversation is forgotten after this long idle."
    )
    max_sessions: int = Field(default=10_000, ge=1, description="Conversations kept at once.")
    products: int = Field(default=6, ge=1, le=50, description="Products a shopping answer shows.")
    passage_chars: int = Field(
        default=600, ge=100, le=10_000, description="Longest passage a document is split into."
    )
    generator_url: str | None = Field(
        default=None,
        description="An OpenAI-compatible chat endpoint (…/v1/chat/completions) that rephrases "
        "the grounded answer; None = grounded answers only.",
    )
    generator_model: str = "default"
    generator_key: str | None = Field(default=None, description="Bearer key for the endpoint.")
    generator_timeout_s: float = Field(default=3.0, gt=0, le=120)


class PrivacyConfig(_Section):
    """What is kept about visitors, and for how long."""

    events_days: int = Field(
        default=0,
        ge=0,
        description="Delete events older than this many days at each build (0: keep them all).",
    )


class ExperimentsConfig(_Section):
    """A/B tests, interleaving and the request log that attributes behaviour to answers
    (``POST /experiments``, ``shopmind experiments``, ``shopmind evaluate replay``)."""

    log_requests: bool = Field(
        default=True,
        description="Log every list answer (request_id, positions, propensities) for "
        "attribution, reports and off-policy replay.",
    )
    purchase_window_hours: float = Field(
        default=24.0,
        gt=0,
        le=24 * 90,
        description="A purchase without a request_id counts for the visitor's latest answer "
        "that showed the product within this many hours before it.",
    )
    explore: bool = Field(
        default=False,
        description="Give new and little-shown products a Thompson-sampling slot in "
        "recommendation lists (at most explore_share of the slots).",
    )
    explore_share: float = Field(
        default=0.1, ge=0, le=0.5, description="The most of a list's slots exploration takes."
    )
    explore_new_below: int = Field(
        default=200, ge=1, description="A product with fewer impressions may be explored."
    )
    explore_floor: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="An explored product's score must reach this share of the last organic "
        "product's (the relevance floor).",
    )


class ProfilesConfig(_Section):
    """Visitor profiles, the buy-again model and segments (``shopmind analyze profiles``,
    ``GET /visitors/{id}/profile``, ``shopmind analyze segments``)."""

    days: int = Field(
        default=30, ge=1, le=365, description="Horizon of the buy-again probability, in days."
    )
    session_minutes: float = Field(
        default=30.0, gt=0, le=1_440, description="A longer gap between events starts a session."
    )
    sessions: int = Field(default=5, ge=0, le=100, description="Recent sessions a profile shows.")
    clusters: int = Field(
        default=12, ge=2, le=100, description="Interest clusters of the product vectors."
    )
    active_quantile: float = Field(
        default=0.75,
        gt=0,
        lt=1,
        description="A customer is active while their last purchase is within this quantile "
        "of the shop's gaps between a customer's purchases (at risk after it).",
    )
    lapsed_quantile: float = Field(
        default=0.95, gt=0, lt=1, description="Lapsed after this quantile of the shop's gaps."
    )
    seed: int = 0


class Settings(BaseSettings):
    """The whole settings tree."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    home: Path = Field(default=Path("shopmind-data"), description="The data home folder.")
    store: StoreConfig = StoreConfig()
    ingest: IngestConfig = IngestConfig()
    events: EventsConfig = EventsConfig()
    search: SearchConfig = SearchConfig()
    recommend: RecommendConfig = RecommendConfig()
    train: TrainConfig = TrainConfig()
    rank: RankConfig = RankConfig()
    serve: ServeConfig = ServeConfig()
    demo: DemoConfig = DemoConfig()
    ads: AdsConfig = AdsConfig()
    experiments: ExperimentsConfig = ExperimentsConfig()
    assistant: AssistantConfig = AssistantConfig()
    profiles: ProfilesConfig = ProfilesConfig()
    privacy: PrivacyConfig = PrivacyConfig()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml = _toml_file.get()
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    @property
    def store_url(self) -> str:
        """The store URL, defaulting to a SQLite file inside the home."""
        if self.store.url:
            return self.store.url
        return f"sqlite:///{(self.home / 'shopmind.db').resolve()}"


SECTIONS: dict[str, type[BaseModel]] = {
    "store": StoreConfig,
    "ingest": IngestConfig,
    "events": EventsConfig,
    "search": SearchConfig,
    "recommend": RecommendConfig,
    "serve": ServeConfig,
    "demo": DemoConfig,
    "ads": AdsConfig,
    "assistant": AssistantConfig,
    "profiles": ProfilesConfig,
}


def _allowed_keys(section: str | None) -> list[str]:
    if section in SECTIONS:
        return sorted(SECTIONS[section].model_fields)
    return sorted(Settings.model_fields)


def _check_env(environ: dict[str, str]) -> None:
    top = set(Settings.model_fields)
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        if parts[0] not in top:
            raise ConfigError(
                f"unknown environment variable {name}: '{parts[0]}' is not a settings key; "
                f"allowed: {', '.join(f'{ENV_PREFIX}{k.upper()}' for k in sorted(top))}"
            )
        if len(parts) > 1 and parts[0] in SECTIONS and parts[1] not in _allowed_keys(parts[0]):
            allowed = ", ".join(_allowed_keys(parts[0]))
            raise ConfigError(
                f"unknown environment variable {name}: '{parts[0]}.{parts[1]}' is not a "
                f"settings key; allowed keys in [{parts[0]}]: {allowed}"
            )


def _explain(err: ValidationError, toml: Path | None) -> str:
    lines = []
    for item in err.errors():
        key = ".".join(str(p) for p in item["loc"])
        env_name = f"{ENV_PREFIX}{key.upper().replace('.', '__')}"
        where = f" (from {toml} or {env_name})" if toml is not None else f" (from {env_name})"
        if item["type"] == "extra_forbidden":
            section = str(item["loc"][0]) if len(item["loc"]) > 1 else None
            allowed = ", ".join(_allowed_keys(section))
            lines.append(f"unknown settings key '{key}'{where}; allowed keys: {allowed}")
        else:
            lines.append(f"invalid value for settings key '{key}'{where}: {item['msg']}")
    return "; ".join(lines)


def load(
    config_file: str | Path | None = None,
    home: str | Path | None = None,
) -> Settings:
    """Load and validate the settings tree.

    Args:
        config_file: a TOML file; defaults to ``$SHOPMIND_CONFIG`` or ``HOME/shopmind.toml``.
        home: the data home, overriding file and environment (the CLI's ``--home``).

    Returns:
        The validated, frozen settings.

    Raises:
        ConfigError: a key is unknown or a value invalid; the message names it.
    """
    env = dict(os.environ)
    _check_env(env)
    toml = _resolve_toml(config_file, home, env)
    if toml is not None:
        _check_toml(toml)
    overrides: dict[str, Any] = {}
    if home is not None:
        overrides["home"] = Path(home)
    token = _toml_file.set(toml)
    try:
        return Settings(**overrides)
    except ValidationError as err:
        raise ConfigError(_explain(err, toml)) from None
    finally:
        _toml_file.reset(token)


def _resolve_toml(
    config_file: str | Path | None, home: str | Path | None, env: dict[str, str]
) -> Path | None:
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist; pass an existing TOML file")
        return path
    if env.get(CONFIG_ENV):
        return _resolve_toml(env[CONFIG_ENV], home, {})
    base = Path(home) if home is not None else Path(env.get("SHOPMIND_HOME", "shopmind-data"))
    candidate = base / CONFIG_FILE_NAME
    return candidate if candidate.is_file() else None


def _check_toml(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config file {path} is not valid TOML: {err}") from None
