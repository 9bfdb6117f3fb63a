"""How text reads over what is behind it: the ink (and, where no ink reads, a plate) chosen from
the pixels a text box actually covers, so every word on screen reaches WCAG AA (4.5:1).

A headline or a caption is laid over moving shots: its box covers parts of several stills, each
seen through a window that travels. `Backing` gathers those pixels (every still under the box,
at both ends of its window) and `treatment` picks, in this order: white ink, when it reaches
READABLE against the brightest of them; near-black ink, when it does against the darkest; else
white ink on a dark plate, only behind the text, whose opacity makes white read even over a
white pixel. Percentiles rather than extremes: a few specks (a highlight, compression) do not
decide the ink of a whole line, which a reader reads against its surroundings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from domain.colour import contrast
from pipeline.video.artwork import INKS, READABLE
from pipeline.video.layout import Box

WHITE, DARK = INKS[1], INKS[0]
PLATE = (16, 16, 16)  # the plate's colour: near-black
PLATE_ALPHA = 215  # over pure white it leaves ~#3a3a3a, which white ink reads on at ~11:1
BRIGHT, DIM = 97, 3  # the percentiles that stand for the brightest and darkest backing


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB pixels (..., 3) in 0..255."""
    c = rgb.astype(np.float32) / 255.0
    linear = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.asarray(linear @ np.array([0.2126, 0.7152, 0.0722], np.float32))


def ratio(a: float, b: float) -> float:
    """WCAG contrast ratio of two relative luminances."""
    high, low = max(a, b), min(a, b)
    return (high + 0.05) / (low + 0.05)


def _lum(colour: str) -> float:
    return float(relative_luminance(np.array(_rgb(colour), np.float32)))


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@dataclass
class Backing:
    """Luminances of the pixels under one text box, gathered from every still it is laid on."""

    samples: list[np.ndarray] = field(default_factory=list)

    def add(self, still: Image.Image, box: Box, window: tuple[int, int] = (0, 0)) -> None:
        """The pixels of `still` under `box` (frame pixels) when its window is at `window`."""
        left, top = box.x + window[0], box.y + window[1]
        crop = still.crop((left, top, left + box.w, top + box.h)).convert("RGB")
        small = crop.resize((max(1, crop.width // 4), max(1, crop.height // 4)))
        self.samples.append(relative_luminance(np.asarray(small)).ravel())

    def extremes(self) -> tuple[float, float]:
        """(brightest, darkest) luminance, as percentiles of all the gathered pixels."""
        if not self.samples:
            return 0.0, 0.0
        every = np.concatenate(self.samples)
        return float(np.percentile(every, BRIGHT)), float(np.percentile(every, DIM))


@dataclass(frozen=True)
class Treatment:
    ink: str  # "#rrggbb"
    halo: str  # the stroke or outline round the letters: the ink's opposite
    plate: bool  # a dark plate behind the text

    @property
    def plate_rgba(self) -> tuple[int, int, int, int]:
        return (*PLATE, PLATE_ALPHA)


BUSY = 3.0  # a backing whose own brightest and darkest differ this much has edges that compete


def treatment(backing: Backing, least: float = READABLE, preferred: str | None = None) -> Treatment:
    """The `preferred` ink (a brand kit's text colour) where it reads, on the backing or on the
    plate; else white, else near-black, else white on a plate: the first that reads over all of
    it. A busy backing (a photo, a band of colour crossing the box: its own contrast BUSY or
    more) gets the plate whatever the ink: its edges would cut through the letters."""
    brightest, darkest = backing.extremes()
    busy = ratio(brightest, darkest) >= BUSY
    if preferred is not None:
        own = _lum(preferred)
        halo = DARK if ratio(own, _lum(DARK)) >= ratio(own, _lum(WHITE)) else WHITE
        if not busy and min(ratio(own, brightest), ratio(own, darkest)) >= least:
            return Treatment(preferred, halo, plate=False)
        plate = plate_over_white()
        if own > plate and ratio(own, plate) >= least:
            return Treatment(preferred, DARK, plate=True)
    if busy:
        return Treatment(WHITE, DARK, plate=True)
    if ratio(_lum(WHITE), brightest) >= least:
        return Treatment(WHITE, DARK, plate=False)
    if ratio(_lum(DARK), darkest) >= least:
        return Treatment(DARK, WHITE, plate=False)
    return Treatment(WHITE, DARK, plate=True)


def plate_over_white() -> float:
    """The luminance the plate leaves over a white pixel (the worst case behind it)."""
    a = PLATE_ALPHA / 255
    mixed = np.array([a * v + (1 - a) * 255 for v in PLATE], np.float32)
    return float(relative_luminance(mixed))


def accent_on(accent: str, ink: Treatment, backing: Backing, least: float = READABLE) -> str:
    """The accent colour (a lit word) moved lighter or darker, hue kept, until it reaches
    `least` against what the text of `ink` is read on (the plate, or the backing)."""
    if ink.plate:
        behind = [plate_over_white()]
    else:
        brightest, darkest = backing.extremes()
        behind = [brightest] if ink.ink == WHITE else [darkest]
    toward = (255, 255, 255) if ink.ink == WHITE else (0, 0, 0)
    base = _rgb(accent)
    for step in range(26):
        amount = step / 25
        mixed = tuple(round(c + (t - c) * amount) for c, t in zip(base, toward, strict=True))
        colour = "#{:02x}{:02x}{:02x}".format(*mixed)
        if all(ratio(_lum(colour), b) >= least for b in behind):
            return colour
    return ink.ink


__all__ = ["Backing", "Treatment", "accent_on", "contrast", "ratio", "treatment"]
