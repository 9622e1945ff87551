"""The web console: ``/`` and its static files under ``/console``, plus product pictures."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from shopmind.serve.deps import StoreDep
from shopmind.web import STATIC_DIR, placeholder_svg

router = APIRouter(tags=["console"])


@router.get("/", include_in_schema=False)
def console() -> FileResponse:
    """The console's page (its views are drawn by the scripts from the JSON API)."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


@router.get("/console/product/{product_id}.svg", include_in_schema=False)
@router.get("/static/demo/{product_id}.svg", include_in_schema=False)
def product_picture(product_id: str, store: StoreDep) -> Response:
    """A placeholder picture for a product (the demo catalog's ``image_url`` points here)."""
    svg = placeholder_svg(store.get_product(product_id))
    return Response(svg, media_type="image/svg+xml", headers={"cache-control": "max-age=3600"})
