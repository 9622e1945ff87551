"""The ranking stage: a deep CTR/CVR model (DCN-v2 + DIN + ESMM, position-debiased) over
the shop's features, its baselines and the loaders of public click logs."""

from shopmind.rank.ctr import CtrModel, Prediction
from shopmind.rank.features import ShopFeatures
from shopmind.rank.fit import FitReport, fit_ctr
from shopmind.rank.loaders import DATASETS, load_dataset
from shopmind.rank.metrics import auc, gauc, logloss
from shopmind.rank.ranker import Ranker, Scored, train_ranker
from shopmind.rank.shop import shop_data
from shopmind.rank.table import CtrData, CtrTable, Schema, Split

__all__ = [
    "DATASETS",
    "CtrData",
    "CtrModel",
    "CtrTable",
    "FitReport",
    "Prediction",
    "Ranker",
    "Schema",
    "Scored",
    "ShopFeatures",
    "Split",
    "auc",
    "fit_ctr",
    "gauc",
    "load_dataset",
    "logloss",
    "shop_data",
    "train_ranker",
]
