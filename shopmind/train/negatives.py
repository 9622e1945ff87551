"""Hard negatives from the current index: products it ranks high that are not positives.

A near miss teaches the encoder more than a random product, but the very top of an
untuned ranking often holds relevant products nobody judged; so negatives are drawn from
ranks ``skip`` to ``depth``, and never from an anchor's positives or judged products.
Anchors with judged negatives keep those (they are known to be wrong) and add mined ones.

The ranking is the served search's when one is given (``scorer``: the hybrid first stage,
whose mistakes the tuned encoder should learn to fix), else the encoder's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from shopmind.train.pairs import Pairs


def mine_negatives(
    pairs: Pairs,
    anchor_vectors: np.ndarray | None,
    product_vectors: np.ndarray,
    product_ids: Sequence[str],
    judged: Mapping[str, set[str]] | None = None,
    depth: int = 30,
    skip: int = 3,
    per_anchor: int = 5,
    block: int = 512,
    scorer: Callable[[str], np.ndarray] | None = None,
) -> dict[str, list[str]]:
    """Each anchor's hard negatives (``anchor_vectors`` row i = ``pairs.anchors[i]``;
    ``scorer`` gives one score per product, in ``product_ids`` order, for an anchor)."""
    anchors = pairs.anchors
    judged = judged or {}
    out: dict[str, list[str]] = {}
    depth = min(depth, len(product_ids))
    for start in range(0, len(anchors), block):
        part = anchors[start : start + block]
        if scorer is not None:
            sims = np.stack([scorer(anchor) for anchor in part])
        else:
            assert anchor_vectors is not None, "give the anchors' vectors, or a scorer"
            sims = anchor_vectors[start : start + block] @ product_vectors.T
        top = np.argpartition(-sims, depth - 1, axis=1)[:, :depth]
        for row, anchor in enumerate(part):
            order = top[row][np.argsort(-sims[row, top[row]], kind="stable")]
            banned = set(pairs.positives[anchor]) | judged.get(anchor, set()) | {anchor}
            mined = [product_ids[i] for i in order[skip:] if product_ids[i] not in banned]
            known = sorted(pairs.negatives.get(anchor, ()))
            chosen = known + mined[: max(0, per_anchor - len(known))]
            if chosen:
                out[anchor] = chosen
    return out


__all__ = ["mine_negatives"]
