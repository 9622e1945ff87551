"""Recommenders: visitor histories in, a score for every product out.

The contract is :class:`Recommender` (fit, batch-first ``score`` / ``recommend``,
``similar_items``, save, load); :func:`make_recommender` builds one by name.
"""

from shopmind.recommend.base import Histories, Recommender, mask_seen, top_rows
from shopmind.recommend.content import Content
from shopmind.recommend.ease import EASE
from shopmind.recommend.factors import BPR, Factors
from shopmind.recommend.factory import make_recommender, recommender_names
from shopmind.recommend.hybrid import Hybrid
from shopmind.recommend.itemknn import ItemKNN
from shopmind.recommend.popular import Popular
from shopmind.recommend.sequential import Sequential
from shopmind.recommend.transitions import Transitions

__all__ = [
    "BPR",
    "EASE",
    "Content",
    "Factors",
    "Histories",
    "Hybrid",
    "ItemKNN",
    "Popular",
    "Recommender",
    "Sequential",
    "Transitions",
    "make_recommender",
    "mask_seen",
    "recommender_names",
    "top_rows",
]
