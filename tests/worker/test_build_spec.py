"""build_spec: what the stages are told about a job comes from its row: photos in order, the
product page's price, the beats of the maker's own track."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import cast

from db.models import Job
from domain.brand import BrandFont, BrandSnapshot
from domain.enums import AdDuration, Style
from pipeline.spec import Brand, BrandFace
from settings import Settings
from worker.context import WorkerState
from worker.run_job import build_spec


def _state(tmp_path: Path) -> WorkerState:
    settings = Settings(_env_file=None, media_dir=tmp_path / "media")
    return cast(WorkerState, SimpleNamespace(settings=settings))


def _job(**fields: object) -> Job:
    return Job.new(
        owner="local", product_name="Kite", style=Style.MINIMAL, cta_text="Fly", **fields
    )


def test_every_photo_in_order_and_the_first_as_the_photo(tmp_path: Path) -> None:
    paths = ["uploads/c.png", "uploads/a.jpg", "uploads/b.webp"]
    spec = build_spec(_state(tmp_path), _job(product_image_paths=paths))

    root = (tmp_path / "media").resolve()
    assert spec.product_images == tuple(root / path for path in paths)
    assert spec.product_image == root / "uploads/c.png"


def test_a_job_without_photos_has_none(tmp_path: Path) -> None:
    spec = build_spec(_state(tmp_path), _job())
    assert spec.product_images == ()
    assert spec.product_image is None


def test_the_price_of_the_product_page(tmp_path: Path) -> None:
    assert build_spec(_state(tmp_path), _job(product_price="$24.00")).price == "$24.00"
    assert build_spec(_state(tmp_path), _job()).price is None


def test_the_beats_of_the_makers_own_track(tmp_path: Path) -> None:
    spec = build_spec(
        _state(tmp_path),
        _job(music_track_path="uploads/t.mp3", music_track_beats=[0.25, 0.75, 1.25]),
    )
    assert spec.music_beats == (0.25, 0.75, 1.25)
    assert build_spec(_state(tmp_path), _job()).music_beats is None


def test_the_job_decides_the_length_and_ad_seconds_caps_it(tmp_path: Path) -> None:
    state = _state(tmp_path)  # AD_SECONDS 30
    assert build_spec(state, _job()).total_seconds == 15.0  # a name and a CTA: 15 s
    forced = _job(duration=AdDuration.SECONDS_30)
    assert build_spec(state, forced).total_seconds == 30.0
    rich = _job(product_description=" ".join(["word"] * 40), key_benefits=["a b c", "d e f"])
    assert 15.0 < build_spec(state, rich).total_seconds <= 30.0
    short = cast(
        WorkerState, SimpleNamespace(settings=state.settings.model_copy(update={"ad_seconds": 4.0}))
    )
    assert build_spec(short, forced).total_seconds == 4.0


def test_the_brand_kit_as_the_job_keeps_it(tmp_path: Path) -> None:
    snapshot = BrandSnapshot(
        kit_id="k", name="Fern", primary="#1e6b3a", accent="#f2b705", text="#ffee88",
        text_used="#ffffff", text_contrast=5.2, logo="uploads/logo.png",
        heading=BrandFont("Fern Sans", "uploads/fern.otf"), body=BrandFont("Lato"),
    )  # fmt: skip
    spec = build_spec(_state(tmp_path), _job(brand=snapshot.to_json()))

    root = (tmp_path / "media").resolve()
    assert spec.brand == Brand(
        primary="#1e6b3a",
        accent="#f2b705",
        text="#ffffff",  # the colour made readable, not the kit's
        logo=root / "uploads/logo.png",
        heading=BrandFace("Fern Sans", str(root / "uploads/fern.otf")),
        body=BrandFace("Lato", "Lato/Lato-Regular.ttf"),
    )
    assert build_spec(_state(tmp_path), _job()).brand is None
