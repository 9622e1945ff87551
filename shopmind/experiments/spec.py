"""What an experiment is: its variants as overrides of the typed settings, its traffic, its
layer, the metric it is judged on and its guardrails; checked before anything is stored.

An override is a nested object of settings sections, as in the config file:
``{"search": {"alpha": 0.3}}``, ``{"rank": {"enabled": false}}``,
``{"recommend": {"weights": {"itemknn": 1.0, "als": 0.5}}}``. Each variant's overrides are
applied to the running settings and validated by the same models that read the config file,
so a misspelt setting or a value out of range is refused with its path
(``variants[1].settings.search.alpha``). Only what can change per request may be overridden
(:data:`OVERRIDABLE`): the search and ranking settings, the recommendation blend and
history, sponsored products and the assistant's threshold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopmind.config import Settings
from shopmind.errors import InvalidInput, RowError

Route = Literal["/search", "/recommend", "/similar", "/bought-together", "/assistant"]
ROUTES: tuple[str, ...] = get_args(Route)
DEFAULT_ROUTES: tuple[Route, ...] = ("/search", "/recommend")
Metric = Literal["ctr", "add_to_cart_rate", "conversion", "revenue_per_visitor"]
METRICS: tuple[str, ...] = get_args(Metric)
OVERRIDABLE = ("search", "rank", "recommend", "ads", "assistant")
BUCKETS = 10_000  # a layer's traffic in buckets of 0.01%
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class Variant(BaseModel):
    """One arm: a name, its share of the experiment's visitors and its setting overrides."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    share: float = Field(gt=0, le=1)
    settings: dict[str, Any] = Field(default_factory=dict)


class Guardrails(BaseModel):
    """Limits a variant must not cross (None: not watched)."""

    model_config = ConfigDict(extra="forbid")

    latency_p99_ms: float | None = Field(default=None, gt=0)
    zero_result_rate: float | None = Field(default=None, ge=0, le=1)


class ExperimentSpec(BaseModel):
    """An experiment as the shop defines it.

    Attributes:
        kind: ``ab`` splits visitors between variants; ``interleaving`` shows every visitor
            one list drafted from all variants' lists (team draft) and credits clicks.
        layer: experiments in one layer never share a visitor; layers are independent.
        traffic: the share of the layer's visitors in the experiment; ``offset`` where its
            range starts (the first free range when not given).
        routes: the list routes whose answers the variants change.
        primary: the metric the verdict is on; guardrails are watched beside it.
        pre_days: days before the start whose behaviour is CUPED's covariate.
    """

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: Literal["ab", "interleaving"] = "ab"
    layer: str = Field(default="default", min_length=1, max_length=64)
    traffic: float = Field(default=1.0, gt=0, le=1)
    offset: float | None = Field(default=None, ge=0, lt=1)
    routes: list[Route] = Field(default_factory=lambda: list(DEFAULT_ROUTES), min_length=1)
    variants: list[Variant] = Field(min_length=2, max_length=8)
    primary: Metric = "ctr"
    guardrails: Guardrails = Field(default_factory=Guardrails)
    pre_days: int = Field(default=14, ge=0, le=365)

    def span(self, start: int) -> tuple[int, int]:
        """The experiment's buckets of its layer, [start, end)."""
        return start, start + round(self.traffic * BUCKETS)


def _errors(err: ValidationError, prefix: str) -> list[RowError]:
    out = []
    for e in err.errors():
        path = ".".join(str(p) for p in e["loc"])
        where = f"{prefix}.{path}" if prefix and path else (prefix or path)
        out.append(RowError(1, where, e["msg"], _fix(e["type"], where)))
    return out


def _fix(kind: str, where: str) -> str:
    if kind == "extra_forbidden":
        return f"remove {where}: there is no such setting (`shopmind config` prints them all)"
    if kind == "missing":
        return f"give {where}"
    return f"give {where} a valid value"


def _path(prefix: str, index: int) -> str:
    return f"variants[{index}].{prefix}"


def check_spec(data: Mapping[str, Any], settings: Settings) -> ExperimentSpec:
    """An experiment from its JSON or TOML form, checked against the running settings.

    Raises:
        InvalidInput: naming every field that is wrong (the route answers 422).
    """
    try:
        spec = ExperimentSpec.model_validate(dict(data))
    except ValidationError as err:
        raise InvalidInput(_errors(err, ""), source="experiment") from None
    problems: list[RowError] = []
    if not NAME.match(spec.name):
        problems.append(
            RowError(1, "name", "not a valid experiment name",
                     "use 1-64 lower-case letters, digits, '-' or '_'", spec.name)
        )  # fmt: skip
    total = sum(v.share for v in spec.variants)
    if abs(total - 1.0) > 1e-6:
        problems.append(
            RowError(1, "variants.share", f"the variants' shares add up to {total:g}, not 1",
                     "make the shares add up to 1 (e.g. 0.5 and 0.5)")
        )  # fmt: skip
    names = [v.name for v in spec.variants]
    if len(set(names)) != len(names):
        problems.append(
            RowError(1, "variants.name", "two variants share a name", "name each variant once")
        )
    if spec.offset is not None and spec.offset + spec.traffic > 1 + 1e-9:
        problems.append(
            RowError(1, "offset", "offset + traffic passes the layer's whole traffic (1)",
                     "lower offset or traffic")
        )  # fmt: skip
    for i, variant in enumerate(spec.variants):
        problems.extend(check_overrides(variant.settings, settings, _path("settings", i)))
    if problems:
        raise InvalidInput(problems, source="experiment")
    return spec


def check_overrides(overrides: Mapping[str, Any], settings: Settings, where: str) -> list[RowError]:
    """What is wrong with one variant's overrides (empty: they apply cleanly)."""
    problems = []
    for section in overrides:
        if section not in OVERRIDABLE:
            problems.append(
                RowError(1, f"{where}.{section}", "this setting cannot change per request",
                         f"override only: {', '.join(OVERRIDABLE)}")
            )  # fmt: skip
    if problems:
        return problems
    try:
        apply_overrides(settings, overrides)
    except ValidationError as err:
        return _errors(err, where)
    return []


def apply_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """The settings with a variant's overrides merged in, validated like the config file."""
    if not overrides:
        return settings
    merged = _merge(settings.model_dump(), overrides)
    out: Settings = Settings.model_validate(merged)
    return out


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict) and key != "weights":
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
