"""Speaking rates for the native phrase books: how long espeak-ng takes to say a line.

    .venv/bin/python -m bench.phrase_rates [--lang es fr de pt] [--items 40]

For each language (pipeline.script.phrasebooks.<lang>) and style, ~40 varied lines (the style's
phrase-book lines, some joined the way the offline writer joins them, and description-like
sentences such as a job brings) are said by the language's espeak-ng voice at the style's rate
and pitch (pipeline.voice.espeak_voice.VOICE_STYLES), through the app's own synthesis path
(`espeak_voice.synthesise`, the espeak child process, trailing silence trimmed as the app does).
Each WAV's length is then fitted by least squares, without intercept, to the counts the offline
writer times lines with (domain.script.spoken_seconds): letters or digits, sentences, and
commas, dashes, semicolons or colons. The fit's error is printed per style, then the
`SPEAKING` dict to paste into each language's module.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import random
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from domain.enums import Style
from domain.script import spoken_seconds
from domain.templates import SpeakingRate
from pipeline.script.lines import Phrasebook
from pipeline.voice.espeak_voice import VOICE_STYLES, synthesise

LANGUAGES = ("es", "fr", "de", "pt")

# Product names as a job might bring them (said with the language's own rules).
NAMES = ("Aurora", "Lumen Uno", "Brisa", "Kora Studio", "Vela 2")

# Description-like sentences: what a job's description and key benefits read like. They are
# input, not phrase-book lines, so unlike the books they do describe a product.
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "es": (
        "Una botella de acero inoxidable que mantiene el agua fría durante todo el día.",
        "Ligera, resistente y fácil de limpiar.",
        "Diseñada en Barcelona, fabricada con materiales reciclados.",
        "Cabe en cualquier bolso; pesa menos de trescientos gramos.",
        "Tapa antigoteo, asa de silicona y cuatro colores para elegir.",
        "Perfecta para el gimnasio, la oficina o una escapada de fin de semana.",
        "Carga completa en dos horas y batería para una semana entera.",
        "Zapatillas de running con suela amortiguada y tejido transpirable.",
        "Hecho a mano, pieza a pieza, en un pequeño taller familiar.",
        "Un sérum de noche con vitamina C y ácido hialurónico.",
    ),
    "fr": (
        "Une gourde en acier inoxydable qui garde l'eau fraîche toute la journée.",
        "Légère, robuste et facile à nettoyer.",
        "Conçue à Lyon, fabriquée à partir de matériaux recyclés.",
        "Elle se glisse dans n'importe quel sac; elle pèse moins de trois cents grammes.",
        "Bouchon anti-fuite, poignée en silicone et quatre couleurs au choix.",
        "Parfaite pour la salle de sport, le bureau ou un week-end au vert.",
        "Recharge complète en deux heures, et une autonomie d'une semaine.",
        "Des chaussures de course à la semelle amortie et au tissu respirant.",
        "Fabriqué à la main, pièce par pièce, dans un petit atelier familial.",
        "Un sérum de nuit à la vitamine C et à l'acide hyaluronique.",
    ),
    "de": (
        "Eine Trinkflasche aus Edelstahl, die dein Wasser den ganzen Tag kühl hält.",
        "Leicht, robust und einfach zu reinigen.",
        "Entworfen in Berlin, gefertigt aus recycelten Materialien.",
        "Passt in jede Tasche; wiegt weniger als dreihundert Gramm.",
        "Auslaufsicherer Deckel, Griff aus Silikon und vier Farben zur Auswahl.",
        "Ideal fürs Fitnessstudio, das Büro oder einen Ausflug am Wochenende.",
        "In zwei Stunden voll geladen, mit einem Akku für eine ganze Woche.",
        "Laufschuhe mit gedämpfter Sohle und atmungsaktivem Obermaterial.",
        "Von Hand gefertigt, Stück für Stück, in einer kleinen Familienwerkstatt.",
        "Ein Nachtserum mit Vitamin C und Hyaluronsäure.",
    ),
    "pt": (
        "Uma garrafa de aço inoxidável que mantém a água gelada o dia inteiro.",
        "Leve, resistente e fácil de limpar.",
        "Criada em São Paulo, feita com materiais reciclados.",
        "Cabe em qualquer bolsa; pesa menos de trezentos gramas.",
        "Tampa antivazamento, alça de silicone e quatro cores para escolher.",
        "Perfeita para a academia, o escritório ou uma viagem de fim de semana.",
        "Carga completa em duas horas e bateria para uma semana inteira.",
        "Tênis de corrida com solado amortecido e tecido respirável.",
        "Feito à mão, peça por peça, em uma pequena oficina de família.",
        "Um sérum noturno com vitamina C e ácido hialurônico.",
    ),
}


@dataclass(frozen=True)
class Fit:
    rate: SpeakingRate
    rms: float  # seconds
    max_error: float  # seconds, largest |predicted - measured|
    max_relative: float  # largest |predicted - measured| / measured
    longest: float  # seconds, the longest line measured
    count: int


def module(language: str) -> ModuleType:
    return importlib.import_module(f"pipeline.script.phrasebooks.{language}")


def sample_lines(language: str, book: Phrasebook, count: int, seed: int) -> list[str]:
    """`count` varied lines: single book lines, lines joined as the writer joins them (a lead
    and a call-to-action on the end card), descriptions alone, joined, and after an intro."""
    rng = random.Random(seed)
    descriptions = list(DESCRIPTIONS[language])

    def named(text: str) -> str:
        return text.format(name=rng.choice(NAMES))

    singles = [named(t) for t in (*book.intros, *book.cta_leads, book.short_cta, book.unnamed)]
    rng.shuffle(singles)
    hooks = [f"{named(lead)} {book.short_cta}" for lead in rng.sample(book.cta_leads, 2)]
    fills = [" ".join(rng.sample(descriptions, k)) for k in (2, 3) if k <= len(descriptions)]
    told = [
        *descriptions,
        f"{named(rng.choice(book.intros))} {descriptions[0]}",
        f"{rng.choice(descriptions)} {named(rng.choice(book.cta_leads))}",
    ]
    # The same sentences without their commas: commas grow with length, and these pairs keep
    # the fit from trading the comma's pause against the letters'.
    twins = [d.replace(",", "").replace(";", "") for d in descriptions if "," in d or ";" in d]
    lines = [*hooks, *fills, *told, *twins]
    lines += singles[: max(0, count - len(lines))]
    return lines


async def measure(voice: str, style: Style, lines: list[str], directory: Path) -> list[float]:
    """Seconds of audio for each line, read back from the WAVs the espeak child wrote."""

    async def progress(_: int) -> None:
        return None

    delivery = VOICE_STYLES[style]
    paths = [directory / f"{style}-{n}.wav" for n in range(len(lines))]
    request = {
        "voice": voice,
        "rate": delivery.rate,
        "pitch": delivery.pitch,
        "items": [
            {"text": text, "path": str(path), "max_seconds": 1e9}
            for text, path in zip(lines, paths, strict=True)
        ],
    }
    results = await synthesise(request, progress)
    assert all(r["rate"] == delivery.rate for r in results)  # never re-spoken faster
    seconds = []
    for path in paths:
        with wave.open(str(path), "rb") as wav:
            seconds.append(wav.getnframes() / wav.getframerate())
    return seconds


def features(text: str) -> tuple[float, float, float]:
    """The counts SpeakingRate multiplies, exactly as domain.script.spoken_seconds counts them."""
    return (
        spoken_seconds(text, SpeakingRate(letter=1, sentence=0, comma=0)),
        spoken_seconds(text, SpeakingRate(letter=0, sentence=1, comma=0)),
        spoken_seconds(text, SpeakingRate(letter=0, sentence=0, comma=1)),
    )


def fit(lines: list[str], seconds: list[float]) -> Fit:
    x = np.array([features(text) for text in lines])
    y = np.array(seconds)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    rate = SpeakingRate(
        letter=round(float(coef[0]), 4),
        sentence=round(float(coef[1]), 3),
        comma=round(float(coef[2]), 3),
    )
    predicted = np.array([spoken_seconds(text, rate) for text in lines])
    error = predicted - y
    return Fit(
        rate=rate,
        rms=float(np.sqrt(np.mean(error**2))),
        max_error=float(np.max(np.abs(error))),
        max_relative=float(np.max(np.abs(error) / y)),
        longest=float(np.max(y)),
        count=len(lines),
    )


async def run(languages: list[str], items: int, verbose: bool) -> None:
    fits: dict[str, dict[Style, Fit]] = {}
    with tempfile.TemporaryDirectory(prefix="phrase-rates-") as tmp:
        for language in languages:
            mod = module(language)
            voice: str = mod.VOICE
            fits[language] = {}
            for n, style in enumerate(Style):
                lines = sample_lines(language, mod.PHRASEBOOKS[style], items, seed=n)
                directory = Path(tmp) / language
                directory.mkdir(exist_ok=True)
                seconds = await measure(voice, style, lines, directory)
                result = fit(lines, seconds)
                fits[language][style] = result
                r = result.rate
                print(
                    f"{language} ({voice}) {style:<9} letter={r.letter:.4f} "
                    f"sentence={r.sentence:.3f} comma={r.comma:.3f}  "
                    f"rms={result.rms:.3f}s max={result.max_error:.3f}s "
                    f"({100 * result.max_relative:.0f}%) n={result.count} "
                    f"longest={result.longest:.1f}s",
                    flush=True,
                )
                if verbose:
                    for text, s in zip(lines, seconds, strict=True):
                        print(f"    {s:5.2f}s {spoken_seconds(text, r):5.2f}s  {text}")
    for language, by_style in fits.items():
        print(f"\n# {language}")
        print("SPEAKING: dict[Style, SpeakingRate] = {")
        for style, result in by_style.items():
            r = result.rate
            print(
                f"    Style.{style.name}: SpeakingRate(letter={r.letter}, "
                f"sentence={r.sentence}, comma={r.comma}),"
            )
        print("}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lang", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    parser.add_argument("--items", type=int, default=40, help="lines per language and style")
    parser.add_argument("-v", "--verbose", action="store_true", help="every line's timing")
    args = parser.parse_args()
    asyncio.run(run(args.lang, args.items, args.verbose))


if __name__ == "__main__":
    main()
