"""Build: derive serving artifacts from the store and swap them in atomically."""

from shopmind.build.artifacts import (
    BuildManifest,
    builds_dir,
    current_build,
    current_folder,
    load_interactions,
    load_recommend,
    models_dir,
    open_ranker,
    open_recommend,
    open_search,
    publish,
    ranker_path,
    run_build,
)
from shopmind.build.share import BuildFollower, follow

__all__ = [
    "BuildFollower",
    "BuildManifest",
    "builds_dir",
    "current_build",
    "current_folder",
    "follow",
    "load_interactions",
    "load_recommend",
    "models_dir",
    "open_ranker",
    "open_recommend",
    "open_search",
    "publish",
    "ranker_path",
    "run_build",
]
