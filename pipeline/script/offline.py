"""The offline script writer: an ad's words from what the job says about its product.

What the product is and does comes only from the job: its name, its description and up to three
key benefits. The writer puts them where an ad puts them (the name in the hook, the description
in the feature scene, the benefits in the benefit scene) and never pads: every line says
something about the product, its use or the offer, and no phrase is said twice. The phrase book
gives only the lines that carry the name or the offer (pipeline.script.lines).

The hook is one line said in at most HOOK_SPOKEN_SECONDS at the narrator's measured timing
(letters, sentences and commas: domain.templates.SpeakingRate, of the voice that will say it:
Piper, Kokoro or espeak-ng), every line timed as it is said (pipeline.shared.spoken: "$12.90"
as "twelve dollars ninety"). Scene lengths follow what there
is to say: the hook scene and the end card are sized to their lines, the middle scenes to the
maker's sentences that fit the ad's length (domain.length decided it from the brief), and the
time left is shared by the middle scenes and the end card; a middle scene with nothing to say
is silent, its picture and the music carry it. A short preview (AD_SECONDS below what the lines
need) keeps the template's proportions and says what fits in them. The call-to-action is said
once, on the end card, which also shows it once. The result goes through `validate_script`, the
gate a hosted writer passes too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from domain.enums import Style
from domain.outputs import Completed, ScriptOutput
from domain.providers import OFFLINE_SCRIPT
from domain.script import (
    CTA_MAX_CHARS,
    CTA_MAX_WORDS,
    FILL,
    HOOK_MAX_CHARS,
    HOOK_SPOKEN_SECONDS,
    MIN_SCENE_SECONDS,
    ON_SCREEN_MAX_CHARS,
    ON_SCREEN_MAX_WORDS,
    AdScript,
    char_count,
    spoken_seconds,
    word_budget,
)
from domain.templates import SpeakingRate, get_template, scene_durations, voice_window
from domain.text import count_words
from domain.voices import default_voice, find_voice
from pipeline.script.lines import NoPhrasebook, Phrasebook, phrasebook, speaking_rate
from pipeline.script.model import ScriptError, validate_script
from pipeline.script.names import fits_screen, spoken_forms
from pipeline.shared.fonts import can_draw
from pipeline.shared.spoken import spoken_text
from pipeline.spec import JobSpec, ProgressFn, StageResult

PROVIDER = OFFLINE_SCRIPT
# The shortest hook scene, middle scene and end card (time to read the call-to-action). The hook
# scene is as long as its one line needs and no longer, so the voice fills it (a line said in
# 1.6 s in a 2.5 s scene left a second of picture with nothing said); never under the shortest
# scene a picture needs (MIN_SCENE_SECONDS).
HOOK_SCENE_SECONDS = MIN_SCENE_SECONDS
MIDDLE_SECONDS = 2.5
END_CARD_SECONDS = 4.0
UNBOUNDED = 10**6  # no word budget: the scene is sized to the line
# A sentence ends at a mark followed by a space (or the end): "$12.90", "24.90 €" and
# "aurora.com" stay whole, and so does "24,90 €" at a clause cut.
_SENTENCE = re.compile(r"(?:[^.!?]|[.!?](?!\s|$))+[.!?]*")
_CLAUSE = re.compile(r"(?:[^,;:\u2014]|(?<=\d),(?=\d))+")


@dataclass(frozen=True)
class Brief:
    """What the job says about its product."""

    name: str
    style: Style
    cta: str
    description: str | None = None
    benefits: tuple[str, ...] = ()


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _sentence(text: str) -> str:
    """`text` as a spoken sentence: capitalised, ending in punctuation."""
    text = _clean(text).rstrip(",;:-\u2014 ")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else f"{text}."


def sentences(text: str | None) -> list[str]:
    return [s for s in (_sentence(m) for m in _SENTENCE.findall(text or "")) if s]


def _pick(options: Sequence[str], seed: bytes, slot: int, shift: int = 0) -> list[str]:
    """The options rotated so the one this product's hash picks comes first (`shift` further:
    a variant's other choice)."""
    start = (seed[slot % len(seed)] + shift) % len(options)
    return [*options[start:], *options[:start]]


def _seconds(text: str, rate: SpeakingRate, language: str) -> float:
    """How long `text` takes to say, timed as it is said at the narrator's pace: "24,90 €"
    takes as long as "veinticuatro euros con noventa", "$12.90" as "twelve dollars ninety"."""
    return spoken_seconds(spoken_text(text, language), rate)


def _fits(text: str, rate: SpeakingRate, language: str, window: float, budget: int) -> bool:
    return count_words(text) <= budget and _seconds(text, rate, language) <= window


def _named(templates: Sequence[str], names: list[str]) -> list[str]:
    """Each line with the name, the fullest form first; none when the name has nothing
    sayable."""
    return [t.format(name=name) for t in templates for name in names]


def _key(sentence: str) -> str:
    """What makes two sentences the same phrase: their words, whatever the case and stops."""
    return " ".join(re.findall(r"\w+", sentence.casefold()))


def _hook(
    brief: Brief,
    book: Phrasebook,
    rate: SpeakingRate,
    language: str,
    seed: bytes,
    variant: int,
    budget: int,
) -> str:
    """One line that says the name, said in at most HOOK_SPOKEN_SECONDS: the intro this
    product's hash picks (a HOOK variant the next), with the longest form of the name that
    fits; the name alone when no intro does; the offer when the name has nothing to say."""
    names = spoken_forms(brief.name)
    intros = _pick(book.intros, seed, 0, variant)
    lines = [line for intro in intros for line in _named([intro], names)]
    lines += [f"{name}." if name[-1] not in ".!?" else name for name in reversed(names)]
    for line in [*lines, book.unnamed]:
        if char_count(line) <= HOOK_MAX_CHARS and _fits(
            line, rate, language, HOOK_SPOKEN_SECONDS, budget
        ):
            return line
    return lines[-1] if lines else book.unnamed


def _end_card(
    brief: Brief,
    book: Phrasebook,
    rate: SpeakingRate,
    language: str,
    seed: bytes,
    said: set[str],
    window: float,
    budget: int,
) -> str:
    """The call-to-action, said once, after a line that names the product when there is
    time for it (never the hook's own line)."""
    spoken_cta = _sentence(brief.cta)
    if count_words(spoken_cta) > budget:
        spoken_cta = book.short_cta
        if count_words(spoken_cta) > budget:
            raise ScriptError("the call-to-action does not fit the end card")
    names = spoken_forms(brief.name)
    # A lead is never the hook's own line, with this form of the name or another.
    fresh = [t for t in book.cta_leads if not said & {_key(x) for x in _named([t], names)}]
    for lead in _named(_pick(fresh, seed, 4), names) if fresh else []:
        text = f"{lead} {spoken_cta}"
        if count_words(text) > min(budget, 12):
            continue
        if _seconds(text, rate, language) <= window:
            return text
    return spoken_cta


@dataclass(frozen=True)
class Copy:
    """What the middle scenes say: the maker's sentences that fit, in order."""

    feature: tuple[str, ...] = ()
    benefit: tuple[str, ...] = ()


def _copy(brief: Brief, said: set[str], fits: Callable[[Copy], bool]) -> Copy:
    """The description in the feature scene, the key benefits (then the rest of the
    description) in the benefit scene: each sentence, or its longest clause-cut that still
    `fits`, said once; what does not fit is left out, never squeezed."""
    told = sentences(brief.description)
    copy = Copy()
    slots = [("feature", s) for s in told[:1]] + [
        ("benefit", s) for b in brief.benefits for s in sentences(b)
    ]
    slots += [("feature" if i < 2 else "benefit", s) for i, s in enumerate(told[1:], 1)]
    taken: set[str] = set(said)
    for slot, sentence in slots:
        for cut in _shorter(sentence):
            if _key(cut) in taken:
                break
            grown = Copy(
                copy.feature + ((cut,) if slot == "feature" else ()),
                copy.benefit + ((cut,) if slot == "benefit" else ()),
            )
            if fits(grown):
                copy = grown
                taken.add(_key(cut))
                break
    return copy


def scene_for(
    text: str, rate: SpeakingRate, words_per_second: float, least: float, language: str = "en"
) -> float:
    """The shortest scene (from `least`, in steps of 0.05 s) whose voice window holds `text`
    at FILL and whose word budget holds its words; `text` timed as it is said in `language`."""
    if not text:
        return least
    seconds, words = _seconds(text, rate, language), count_words(text)
    duration = least
    while not (
        voice_window(duration)[1] * FILL >= seconds
        and word_budget(words_per_second, duration) >= words
    ):
        duration = round(duration + 0.05, 2)
    return duration


def _spread(needs: list[float], total: float, weights: list[float]) -> list[float]:
    """The scenes' needs, the time left over shared by the middle scenes and the end card in
    the template's proportions (the hook scene stays as short as its line), summing to total."""
    slack = total - sum(needs)
    share = [0.0, *weights[1:]]
    durations = [n + slack * w / sum(share) for n, w in zip(needs, share, strict=True)]
    rounded = [round(d, 3) for d in durations[:-1]]
    return [*rounded, round(total - sum(rounded), 3)]


def write_script(
    product_name: str,
    style: Style,
    cta_text: str,
    total_seconds: float,
    description: str | None = None,
    benefits: Sequence[str] = (),
    *,
    language: str = "en",
    hook_variant: int = 0,
    engine: str | None = None,
) -> AdScript:
    """Build and validate the offline script; StageError if the inputs cannot make one.
    `hook_variant` picks another opening (variants on the HOOK axis); `engine` is what will say
    it (domain.voices: kokoro, espeak-ng; None: the language's default), whose pace the lines
    are sized at."""
    brief = Brief(_clean(product_name), style, _clean(cta_text), description, tuple(benefits))
    if not brief.name:
        raise ScriptError("product name is empty")
    if not brief.cta:
        raise ScriptError("call-to-action is empty")
    if char_count(brief.cta) > CTA_MAX_CHARS or count_words(brief.cta) > CTA_MAX_WORDS:
        raise ScriptError(
            f"call-to-action {brief.cta!r} is too long for the end card "
            f"(at most {CTA_MAX_CHARS} characters and {CTA_MAX_WORDS} words)"
        )
    template = get_template(style)
    try:
        book = phrasebook(language, style)
        rate = speaking_rate(language, style, engine)
    except NoPhrasebook as exc:
        raise ScriptError(str(exc)) from exc
    seed = hashlib.sha256(brief.name.casefold().encode("utf-8")).digest()
    wps = template.words_per_second
    preview = scene_durations(style, total_seconds)
    # The hook and the end card sized to their lines; the middle scenes get the rest.
    hook = _hook(brief, book, rate, language, seed, hook_variant, UNBOUNDED)
    said = {_key(hook)}
    end = _end_card(brief, book, rate, language, seed, said, UNBOUNDED, UNBOUNDED)
    frame = [
        scene_for(hook, rate, wps, HOOK_SCENE_SECONDS, language),
        scene_for(end, rate, wps, END_CARD_SECONDS, language),
    ]
    room = total_seconds - sum(frame)
    if room >= 2 * MIDDLE_SECONDS:

        def fits(copy: Copy) -> bool:
            middle = [" ".join(copy.feature), " ".join(copy.benefit)]
            return sum(scene_for(t, rate, wps, MIDDLE_SECONDS, language) for t in middle) <= room

        copy = _copy(brief, said, fits)
        middle = [" ".join(copy.feature), " ".join(copy.benefit)]
        needs = [
            frame[0],
            *(scene_for(t, rate, wps, MIDDLE_SECONDS, language) for t in middle),
            frame[1],
        ]
        durations = _spread(needs, total_seconds, preview)
    else:  # a short preview: the template's proportions, and what fits in them
        durations = preview
        windows = [voice_window(d)[1] for d in durations]
        budgets = [word_budget(wps, d) for d in durations]
        hook = _hook(brief, book, rate, language, seed, hook_variant, budgets[0])
        said = {_key(hook)}
        # Said even when a very short end card has no time for it (the voice speeds up).
        end = _end_card(brief, book, rate, language, seed, said, windows[3], budgets[3])

        def fits(copy: Copy) -> bool:
            return all(
                _fits(" ".join(lines), rate, language, windows[i], budgets[i])
                for i, lines in ((1, copy.feature), (2, copy.benefit))
            )

        copy = _copy(brief, said, fits)
        middle = [" ".join(copy.feature), " ".join(copy.benefit)]

    told = sentences(brief.description)
    benefit_lines = [s for b in brief.benefits for s in sentences(b)]
    screen_name = brief.name if fits_screen(brief.name) and can_draw(brief.name) else None
    named = [screen_name] if screen_name else []
    on_screen = [
        _headline(iter([*named, *_pick(book.headlines["hook"], seed, 8)])),
        _headline(iter([*_short(told[:1]), *_pick(book.headlines["feature"], seed, 9)])),
        _headline(iter([*_short(benefit_lines[:1]), *_pick(book.headlines["benefit"], seed, 10)])),
    ]
    spoken = [hook, *middle, end]
    scenes = [
        {
            "index": scene.index,
            "duration_seconds": duration,
            "voiceover_text": line,
            "on_screen_text": text,
            "visual_prompt": _visual(scene.visual_direction, brief.name),
        }
        for scene, duration, line, text in zip(
            template.scenes, durations, spoken, [*on_screen, brief.cta], strict=True
        )
    ]
    data = {"hook": hook, "cta": brief.cta, "scenes": scenes}
    return validate_script(data, style, total_seconds)


def _headline(candidates: Iterator[str]) -> str:
    for text in candidates:
        if fits_screen(text) and can_draw(text):
            return text
    raise ScriptError("no headline fits the screen")  # the phrase books' own always fit


def _shorter(sentence: str) -> list[str]:
    """A sentence, then shorter and shorter cuts of it at clause boundaries, each a sentence
    of its own (for a tight scene): the most of what the maker wrote that fits."""
    cuts = [m.end() for m in _CLAUSE.finditer(sentence)][:-1]
    return [sentence, *(_sentence(sentence[:end]) for end in reversed(cuts))]


def _short(candidates: list[str]) -> list[str]:
    """A sentence as a headline, when it is short enough: no full stop, no trailing comma."""
    out = []
    for sentence in candidates:
        text = sentence.rstrip(".!?")
        if count_words(text) <= ON_SCREEN_MAX_WORDS and char_count(text) <= ON_SCREEN_MAX_CHARS:
            out.append(text)
    return out


def _visual(direction: str, name: str) -> str:
    return direction.replace("The product", name).replace("the product", name)


def voice_engine(language: str, voice_id: str | None) -> str | None:
    """The engine of the job's offline voice: the one it names, else its language's default."""
    voice = find_voice(voice_id, hosted_voice=True) if voice_id else None
    voice = voice or default_voice(language, hosted_voice=False)
    return voice.engine if voice is not None else None


async def generate_script(spec: JobSpec, completed: Completed, progress: ProgressFn) -> StageResult:
    """script_gen stage, offline provider. Pure computation: idempotent by construction."""
    await progress(0)
    script = write_script(
        spec.product_name,
        spec.style,
        spec.cta_text,
        spec.total_seconds,
        spec.description,
        spec.benefits,
        language=spec.language,
        hook_variant=spec.hook_variant,
        engine=voice_engine(spec.language, spec.voice),
    )
    await progress(100)
    return StageResult(output=ScriptOutput(script=script), provider=PROVIDER)
