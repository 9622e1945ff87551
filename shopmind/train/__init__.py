"""Fine-tuning the encoder on the shop's own signals: pairs, training, adapters."""

from shopmind.train.adapter import train_adapter
from shopmind.train.encoder import finetune
from shopmind.train.negatives import mine_negatives
from shopmind.train.pairs import (
    MIN_PAIRS,
    Pairs,
    pairs_from_events,
    pairs_from_judgments,
    pairs_from_sequences,
    query_key,
)
from shopmind.train.report import TrainReport
from shopmind.train.run import Trained, finetunable, train_model
from shopmind.train.valid import ValidationSet

__all__ = [
    "MIN_PAIRS",
    "Pairs",
    "TrainReport",
    "Trained",
    "ValidationSet",
    "finetunable",
    "finetune",
    "mine_negatives",
    "pairs_from_events",
    "pairs_from_judgments",
    "pairs_from_sequences",
    "query_key",
    "train_adapter",
    "train_model",
]
