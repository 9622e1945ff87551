"""The deep CTR/CVR network: DCN-v2 over field embeddings, DIN attention over the visitor's
history, ESMM heads for click and purchase, and a position tower used only in training.

* **Fields** (one ``dim``-vector each): every categorical field, the multi-valued field
  (mean of its values), every number (its own vector scaled by the value, as DeepFM does)
  and the history: the visitor's last products, each its product embedding plus an
  embedding of how they met it, pooled by attention to the candidate (DIN, Zhou et al. 2018).
* **Shared bottom**: DCN-v2 cross layers (``x_{l+1} = x_0 * (W x_l + b) + x_l``, Wang et
  al. 2021) beside a deep MLP; both read the concatenated fields.
* **ESMM** (Ma et al. 2018): a click head and a conversion head; the purchase label trains
  ``pCTR * pCVR`` over *all* impressions, so conversion is not learned on clicks alone.
* **Position bias** (PAL, Guo et al. 2019): in training ``P(click) = P(seen | position) *
  pCTR``; serving uses pCTR alone, so the ranking is not last week's layout repeated.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as nnf

from shopmind.rank.table import Schema

MAX_POSITION = 64  # positions past this share the last slot of the position tower
EMBED_STD = 0.05  # small initial embeddings: N(0, 1) ones swamp the cross layers at first


@dataclass(frozen=True)
class NetShape:
    """The network's size (a model file records it, so loading rebuilds the same net)."""

    dim: int = 8
    cross_layers: int = 2
    hidden: tuple[int, ...] = (128, 64)
    dropout: float = 0.2
    cross_rank: int = 0  # 0: full W; r: W = U V (DCN-v2's low-rank cross), r * 2 * width weights


@dataclass
class Batch:
    """A batch of rows as tensors (the table's columns)."""

    cats: torch.Tensor
    nums: torch.Tensor
    multi: torch.Tensor
    history: torch.Tensor
    history_kind: torch.Tensor
    position: torch.Tensor | None = None


class CtrNet(nn.Module):
    """See the module docstring. ``forward`` returns the click and conversion logits."""

    def __init__(self, schema: Schema, shape: NetShape) -> None:
        super().__init__()
        self.schema = schema
        self.shape = shape
        d = shape.dim
        self.cat_embeddings = nn.ModuleList(nn.Embedding(max(2, c), d) for c in schema.cards)
        self.multi_embedding = (
            nn.EmbeddingBag(max(2, schema.multi_card), d, mode="sum", padding_idx=0)
            if schema.multi is not None
            else None
        )
        self.num_vectors = nn.Parameter(torch.randn(len(schema.nums), d) * 0.05)
        self.item_index = (
            schema.cats.index(schema.item_field) if schema.item_field is not None else None
        )
        self.use_history = bool(schema.history) and self.item_index is not None
        n_fields = len(schema.fields())
        if self.use_history:
            self.kind_embedding = nn.Embedding(schema.history_kinds + 1, d, padding_idx=0)
            self.attention = nn.Sequential(nn.Linear(4 * d, 32), nn.ReLU(), nn.Linear(32, 1))
        width = n_fields * d
        self.cross = nn.ModuleList(
            _cross(width, shape.cross_rank) for _ in range(shape.cross_layers)
        )
        layers: list[nn.Module] = []
        last = width
        for size in shape.hidden:
            layers += [nn.Linear(last, size), nn.ReLU(), nn.Dropout(shape.dropout)]
            last = size
        self.deep = nn.Sequential(*layers)
        self.drop = nn.Dropout(shape.dropout)
        self.click_head = nn.Linear(width + last, 1)
        self.buy_head = nn.Linear(width + last, 1) if "purchase" in schema.tasks else None
        self.position_logit = nn.Embedding(MAX_POSITION + 1, 1)
        nn.init.constant_(self.position_logit.weight, 3.0)
        for module in self.modules():
            if isinstance(module, nn.Embedding | nn.EmbeddingBag) and module.embedding_dim > 1:
                nn.init.normal_(module.weight, std=EMBED_STD)
                if module.padding_idx is not None:  # padding stays the zero vector
                    with torch.no_grad():
                        module.weight[module.padding_idx].zero_()

    def fields(self, b: Batch) -> list[torch.Tensor]:
        """The per-field vectors of a batch, in :meth:`Schema.fields` order."""
        out = [emb(b.cats[:, j]) for j, emb in enumerate(self.cat_embeddings)]
        if self.multi_embedding is not None:
            count = (b.multi > 0).sum(1, keepdim=True).clamp(min=1)
            out.append(self.multi_embedding(b.multi) / count)
        out.extend(b.nums[:, k : k + 1] * self.num_vectors[k] for k in range(len(self.schema.nums)))
        if self.use_history:
            assert self.item_index is not None
            items = self.cat_embeddings[self.item_index]
            h = items(b.history) + self.kind_embedding(b.history_kind)
            target = out[self.item_index].unsqueeze(1).expand_as(h)
            weights = self.attention(torch.cat([h, target, h * target, h - target], -1))
            mask = b.history_kind > 0
            weights = weights.squeeze(-1).masked_fill(~mask, -1e9)
            weights = torch.softmax(weights, -1) * mask
            kinds = self.kind_embedding(b.history_kind).sum(1)
            kinds = kinds / mask.sum(1, keepdim=True).clamp(min=1)
            out.append((weights.unsqueeze(-1) * h).sum(1))
            out.append(kinds)
        return out

    def logits(self, x0: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Click and conversion logits from concatenated field vectors ``x0``."""
        x0 = self.drop(x0)
        xl = x0
        for layer in self.cross:
            xl = x0 * layer(xl) + xl
        top = torch.cat([xl, self.deep(x0)], -1)
        click = self.click_head(top).squeeze(-1)
        buy = self.buy_head(top).squeeze(-1) if self.buy_head is not None else None
        return click, buy

    def forward(self, b: Batch) -> tuple[torch.Tensor, torch.Tensor | None]:
        return self.logits(torch.cat(self.fields(b), -1))

    def log_seen(self, position: torch.Tensor) -> torch.Tensor:
        """log P(seen | position); 0 (certainly seen) where the position is unknown."""
        pos = position.clamp(0, MAX_POSITION)
        seen = nnf.logsigmoid(self.position_logit(pos).squeeze(-1))
        return torch.where(pos > 0, seen, torch.zeros_like(seen))


def _cross(width: int, rank: int) -> nn.Module:
    """One cross layer's ``W x + b``: full, or low-rank ``U (V x) + b`` when ``0 < rank <
    width / 2`` (DCN-v2 shows little loss from it, at a fraction of the time)."""
    if 0 < rank < width // 2:
        return nn.Sequential(nn.Linear(width, rank, bias=False), nn.Linear(rank, width))
    return nn.Linear(width, width)


def _log1mexp(x: torch.Tensor) -> torch.Tensor:
    """log(1 - exp(x)) for x < 0, computed stably."""
    x = x.clamp(max=-1e-7)
    return torch.where(x > -0.6931, torch.log(-torch.expm1(x)), torch.log1p(-torch.exp(x)))


def _bce_log(log_p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy from log-probabilities."""
    return -(y * log_p + (1 - y) * _log1mexp(log_p)).mean()


def esmm_loss(
    net: CtrNet, b: Batch, click: torch.Tensor, purchase: torch.Tensor | None
) -> torch.Tensor:
    """The training loss: click BCE on ``P(seen) * pCTR`` plus, with purchases, the BCE of
    ``P(seen) * pCTR * pCVR`` against click-and-purchase, both over all rows."""
    click_logit, buy_logit = net(b)
    seen = net.log_seen(b.position) if b.position is not None else 0.0
    log_ctr = nnf.logsigmoid(click_logit) + seen
    loss = _bce_log(log_ctr, click)
    if buy_logit is not None and purchase is not None:
        loss = loss + _bce_log(log_ctr + nnf.logsigmoid(buy_logit), purchase * click)
    return loss
