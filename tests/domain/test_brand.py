"""The text colour a job with a brand kit sets its headlines in: readable on what is behind it."""

from __future__ import annotations

import random

from domain.brand import WCAG_AA, BrandFont, BrandSnapshot, behind_text, readable_text


def test_a_readable_text_colour_is_kept() -> None:
    assert readable_text("#ffffff", "#1e6b3a")[0] == "#ffffff"
    assert readable_text("#141414", "#f4f1ea")[0] == "#141414"


def test_any_pair_of_colours_gives_text_of_at_least_4_5_to_1() -> None:
    rng = random.Random(33)
    for _ in range(500):
        text, primary = (f"#{rng.randrange(1 << 24):06x}" for _ in range(2))
        used, ratio = readable_text(text, primary)
        assert ratio >= WCAG_AA, (text, primary, used, ratio)
        if used != text:  # moved only as far as needed: its hue kept where it can be
            assert ratio < 7.5 or used in ("#ffffff", "#000000"), (text, primary, used)


def test_text_on_a_light_primary_is_checked_against_the_backdrop_s_darker_end_too() -> None:
    primary = "#ffffff"
    assert "#ebebeb" in behind_text(primary)  # its gradient's darker end
    used, _ = readable_text("#ffee88", primary)
    assert used != "#ffee88"


def test_a_snapshot_round_trips_through_json() -> None:
    snapshot = BrandSnapshot(
        kit_id="k", name="Fern", primary="#1e6b3a", accent="#f2b705", text="#ffffff",
        text_used="#ffffff", text_contrast=5.2, logo="uploads/a.png",
        heading=BrandFont("Lato"), body=BrandFont("Fern Sans", "uploads/b.otf"),
    )  # fmt: skip
    assert BrandSnapshot.from_json(snapshot.to_json()) == snapshot
    assert snapshot.keys == ["uploads/a.png", "uploads/b.otf"]
    assert not snapshot.text_adjusted
