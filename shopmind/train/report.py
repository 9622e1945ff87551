"""What a training run did, for the person who ran it and for ``models list``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from shopmind.train.pairs import Pairs
from shopmind.train.valid import ValidationSet


@dataclass
class TrainReport:
    """Pairs, the validation curve, the checkpoint kept and the time taken."""

    kind: str  # "finetune" (the whole model), "query" (a query tower), "adapter" (a map)
    base: str  # the pretrained encoder tuned
    pairs: int = 0
    train_pairs: int = 0
    valid_anchors: int = 0
    source: str = ""
    epochs: float = 0.0
    steps: int = 0
    seconds: float = 0.0
    step_seconds: float = 0.0  # of which in training steps (not checks, not set-up)
    stopped: str = ""  # why training ended
    curve: list[dict[str, float]] = field(default_factory=list)  # step, epoch, ndcg@10, loss
    best_step: int = 0
    notes: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, kind: str, base: str, train: Pairs, valid: ValidationSet) -> TrainReport:
        """The report of a run about to train on ``train`` and check on ``valid``."""
        return cls(
            kind=kind,
            base=base,
            pairs=len(train) + sum(len(g) for g in valid.gains),
            train_pairs=len(train),
            valid_anchors=len(valid),
            source=train.source,
        )

    @property
    def untuned(self) -> float:
        """Validation nDCG@10 before training."""
        return self.curve[0]["ndcg@10"] if self.curve else 0.0

    @property
    def best(self) -> float:
        """Validation nDCG@10 of the checkpoint kept."""
        return max((c["ndcg@10"] for c in self.curve), default=0.0)

    def check(self, step: int, epoch: float, ndcg: float, loss: float) -> bool:
        """Record a validation check; True when it is the best so far."""
        better = not self.curve or ndcg > self.best
        self.curve.append(
            {"step": step, "epoch": round(epoch, 3), "ndcg@10": round(ndcg, 4), "loss": loss}
        )
        if better:
            self.best_step = step
        return better

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (with the untuned and best scores)."""
        return {**asdict(self), "untuned_ndcg@10": self.untuned, "best_ndcg@10": self.best}

    def render(self) -> str:
        """A few lines a person can read."""
        lines = [
            f"trained {self.kind} of {self.base} on {self.train_pairs:,} pairs "
            f"({self.source}); {self.valid_anchors:,} held-out anchors",
            f"  {self.steps:,} steps, {self.epochs:.2f} epochs, {self.seconds:.0f} s; "
            f"stopped: {self.stopped}",
            "  validation nDCG@10 by step:",
        ]
        for c in self.curve:
            mark = "  <- kept" if c["step"] == self.best_step else ""
            lines.append(
                f"    step {int(c['step']):>6}  epoch {c['epoch']:5.2f}  "
                f"nDCG@10 {c['ndcg@10']:.4f}  loss {c['loss']:.4f}{mark}"
            )
        lines.append(f"  untuned {self.untuned:.4f} -> kept {self.best:.4f}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


__all__ = ["TrainReport"]
