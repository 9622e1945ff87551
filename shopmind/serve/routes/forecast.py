"""Routes of the owner's insight: forecast."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["insight"])
