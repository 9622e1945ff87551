"""A position-based click model over graded judgments: simulated shoppers for experiments.

A shopper looks at position ``i`` (0-based) with probability ``1 / (i + 1) ** eta`` and,
having looked, clicks a product with a probability that grows with its judged grade:
``floor + (top - floor) * (2 ** rel - 1)``, ``rel`` the grade scaled to 0..1 over the
judgments' own range (so any grading scale works); an unjudged product attracts like the
lowest grade. Clicks are independent given the list (the position-based model, Richardson
et al. 2007; Craswell et al. 2008), so a list's expected clicks are exact to compute and
:mod:`shopmind.evaluate.experiments` can compare what an experiment measures with the truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ClickModel:
    """The position-based model's settings and the judgments it reads grades from."""

    grades: Mapping[str, Mapping[str, float]]  # query -> product -> grade
    eta: float = 1.0
    floor: float = 0.02
    top: float = 0.8
    low: float = field(init=False, default=0.0)
    span: float = field(init=False, default=1.0)

    def __post_init__(self) -> None:
        values = [g for per in self.grades.values() for g in per.values()]
        if not values:
            raise ValueError("the click model needs judgments; the file holds none")
        object.__setattr__(self, "low", min(values))
        object.__setattr__(self, "span", max(max(values) - min(values), 1e-9))

    def examination(self, k: int) -> Array:
        """The chance that each of the first ``k`` positions is looked at."""
        return np.asarray(1.0 / np.arange(1, k + 1, dtype=np.float64) ** self.eta)

    def attraction(self, query: str, items: Sequence[str]) -> Array:
        """The chance of a click on each product once looked at, for ``query``."""
        judged = self.grades.get(query, {})
        out = np.full(len(items), self.floor)
        for i, item in enumerate(items):
            grade = judged.get(item)
            if grade is not None:
                rel = min(max((grade - self.low) / self.span, 0.0), 1.0)
                out[i] = self.floor + (self.top - self.floor) * (2.0**rel - 1.0)
        return out

    def click_chances(self, query: str, items: Sequence[str]) -> Array:
        """Per position, the chance that the product there is clicked."""
        return self.examination(len(items)) * self.attraction(query, items)

    def clicks(self, query: str, items: Sequence[str], rng: np.random.Generator) -> Array:
        """One simulated shopper's clicks on a list (1.0 where clicked)."""
        chances = self.click_chances(query, items)
        return (rng.random(chances.size) < chances).astype(np.float64)

    def expected_ctr(self, lists: Mapping[str, Sequence[str]]) -> float:
        """A ranker's true expected clicks per search, over its queries (uniformly)."""
        if not lists:
            return 0.0
        return float(np.mean([self.click_chances(q, items).sum() for q, items in lists.items()]))
