"""Embeddings: the ``Encoder`` contract, pretrained encoders and a deterministic one."""

from shopmind.embed.base import Encoder, normalise_rows
from shopmind.embed.cache import encode_cached
from shopmind.embed.factory import (
    choose_encoder_name,
    make_encoder,
    register_encoder,
    resolve_encoder,
    shared_encoder,
)
from shopmind.embed.hashing import HashingEncoder

__all__ = [
    "Encoder",
    "HashingEncoder",
    "choose_encoder_name",
    "encode_cached",
    "make_encoder",
    "normalise_rows",
    "register_encoder",
    "resolve_encoder",
    "shared_encoder",
]
