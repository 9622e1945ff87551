"""Explanations: the reasons tree (label, value, children) shared by every stage."""

from shopmind.explain.tree import Node

__all__ = ["Node"]
