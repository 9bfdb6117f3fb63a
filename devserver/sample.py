"""The demo's product: a real photograph (CC0, see assets/README.md) and what its maker says
about it, so `make demo` shows an ad built from a real brief."""

from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
PHOTO = ASSETS / "coffee.png"
NAME = "Aurora Espresso"
CTA = "Order your first bag"
DESCRIPTION = (
    "A single-origin espresso, roasted in small batches every week. "
    "It pulls a rich crema with notes of dark chocolate and cherry."
)
BENEFITS = (
    "Roasted fresh every week",
    "Rich crema without the bitterness",
    "Delivered to your door",
)


def sample_product_png() -> bytes:
    """The demo photo's bytes (a PNG)."""
    return PHOTO.read_bytes()
