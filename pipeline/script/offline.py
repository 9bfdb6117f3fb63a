"""The offline script writer: an ad's words from what the job says about its product.

What the product is and does comes only from the job: its name, its description and up to three
key benefits. The writer puts them where an ad puts them (the name in the hook, the description
in the feature scene, the benefits in the benefit scene) and fills the rest from the style's
phrase book, whose lines open, introduce and invite but claim nothing. Without a description or
benefits the ad stays neutral: it shows the product and asks the viewer to look.

Lines are sized to the narrator: each scene's line is built until the narrator's measured timing
(letters, sentences and commas: domain.templates.SpeakingRate) fills ~88% of its voice window,
never past the window or the word budget, so the voice fills the scene instead of leaving dead
air (the voice stage then fine-tunes the pace). The call-to-action is said once, on the end
card, which also shows it once. The result goes through `validate_script`, the gate a hosted
writer passes too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from domain.enums import Style
from domain.outputs import Completed, ScriptOutput
from domain.providers import OFFLINE_SCRIPT
from domain.script import (
    CTA_MAX_CHARS,
    CTA_MAX_WORDS,
    FILL,
    HOOK_MAX_CHARS,
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
from pipeline.script.lines import NoPhrasebook, phrasebook, speaking_rate
from pipeline.script.model import ScriptError, validate_script
from pipeline.script.names import fits_screen, spoken_forms
from pipeline.shared.fonts import can_draw
from pipeline.shared.spoken import spoken_text
from pipeline.spec import JobSpec, ProgressFn, StageResult

PROVIDER = OFFLINE_SCRIPT
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


def _spoken_cta(cta: str) -> str:
    return _sentence(cta)


def _pick(options: Sequence[str], seed: bytes, slot: int, shift: int = 0) -> list[str]:
    """The options rotated so the one this product's hash picks comes first (`shift` further:
    a variant's other choice)."""
    start = (seed[slot % len(seed)] + shift) % len(options)
    return [*options[start:], *options[:start]]


@dataclass
class Line:
    """A scene's voiceover, built sentence by sentence: it must be sayable in the voice window
    (`window` seconds at the narrator's measured timing, and the word budget any writer keeps)
    and is full once it fills FILL of the window."""

    budget: int  # words
    window: float  # seconds
    rate: SpeakingRate
    max_chars: int | None = None
    language: str = "en"
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.parts)

    @property
    def seconds(self) -> float:
        return self._seconds(self.text) if self.parts else 0.0

    def _seconds(self, text: str) -> float:
        """Timed as it is said: "24,90 €" takes as long as "veinticuatro euros con noventa"."""
        return spoken_seconds(spoken_text(text, self.language), self.rate)

    def fits(self, sentence: str, *, timed: bool = True) -> bool:
        """Whether `sentence` can follow; `timed=False` for what must be said even when a very
        short scene has no time for it (the voice stage then says it faster)."""
        candidate = " ".join([*self.parts, sentence])
        within = self.max_chars is None or char_count(candidate) <= self.max_chars
        sayable = not timed or self._seconds(candidate) <= self.window
        return bool(sentence) and count_words(candidate) <= self.budget and sayable and within

    def add(self, sentence: str, *, timed: bool = True) -> bool:
        if self.fits(sentence, timed=timed):
            self.parts.append(sentence)
            return True
        return False

    @property
    def full(self) -> bool:
        return self.seconds >= self.window * FILL


def _named(lines: Sequence[str], names: list[str]) -> Iterator[list[str]]:
    """Each line as its alternatives, the fullest form of the name first; lines that need a
    name are skipped when the name has nothing sayable."""
    for template in lines:
        if "{name}" not in template:
            yield [template]
        elif names:
            yield [template.format(name=name) for name in names]


def _single(lines: Sequence[str]) -> Iterator[list[str]]:
    return ([line] for line in lines)


def _headline(candidates: Iterator[str]) -> str:
    for text in candidates:
        if fits_screen(text) and can_draw(text):
            return text
    raise ScriptError("no headline fits the screen")  # the phrase books' own always fit


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
    names = spoken_forms(brief.name)
    durations = scene_durations(style, total_seconds)
    lines = [
        Line(
            budget=word_budget(template.words_per_second, duration),
            window=voice_window(duration)[1],
            rate=rate,
            max_chars=HOOK_MAX_CHARS if index == 0 else None,
            language=language,
        )
        for index, duration in enumerate(durations)
    ]
    told = sentences(brief.description)
    benefit_lines = [s for b in brief.benefits for s in sentences(b)]
    hook, feature, benefit, cta = lines

    used: set[str] = set()

    def take(line: Line, options: Iterator[list[str]], *, fill: bool = False) -> None:
        """The first option that fits (its fullest fitting alternative), or with `fill`,
        options until the line is full. No option is said twice in one ad."""
        for alternatives in options:
            if fill and line.full:
                return
            if alternatives[0] in used:
                continue
            if any(line.add(text) for text in alternatives):
                used.add(alternatives[0])
                if not fill:
                    return

    # Hook: something to look at, then the name.
    # A HOOK variant takes the next introduction (said even in the shortest hook), and after
    # every introduction the next opener too.
    take(hook, _single(_pick(book.openers, seed, 0, hook_variant // len(book.intros))))
    take(hook, _named(_pick(book.intros, seed, 1, hook_variant), names))
    # Feature: what the description says, else an invitation to look.
    for sentence in told:
        take(feature, iter([_shorter(sentence)]))
    # Benefit: the key benefits, then what is left of the description, else the viewer's day.
    for sentence in benefit_lines + [s for s in told if s not in used]:
        take(benefit, iter([_shorter(sentence)]))
    # The end card: the call-to-action, said once.
    spoken_cta = _spoken_cta(brief.cta)
    said = cta.add(spoken_cta, timed=False) or cta.add(book.short_cta, timed=False)
    if not said:  # a very short preview with a long call-to-action
        raise ScriptError(f"the call-to-action does not fit the {durations[3]:g} s end card")
    leads = [x for group in _named(_pick(book.cta_leads, seed, 4), names) for x in group]
    leading = next((x for x in leads if cta.fits(x) and count_words(f"{x} {spoken_cta}") <= 12), "")
    if leading:
        cta.parts.insert(0, leading)
    # Fill scenes 1-3 toward their length with the style's neutral lines, none said twice.
    pools = (book.hook_more, book.look, book.picture)
    for slot, (line, pool) in enumerate(zip((hook, feature, benefit), pools, strict=True)):
        take(line, _named(_pick(pool, seed, 5 + slot), names), fill=True)
        if not line.parts:  # too short for any of them: two or three words, said again if need be
            next((True for text in book.short if line.add(text, timed=False)), None)
        if not line.parts:
            raise ScriptError(f"no {style} line fits the {durations[slot]:g} s scene")

    screen_name = brief.name if fits_screen(brief.name) and can_draw(brief.name) else None
    named = [screen_name] if screen_name else []
    on_screen = [
        _headline(iter([*named, *_pick(book.headlines["hook"], seed, 8)])),
        _headline(iter([*_short(told[:1]), *_pick(book.headlines["feature"], seed, 9)])),
        _headline(iter([*_short(benefit_lines[:1]), *_pick(book.headlines["benefit"], seed, 10)])),
    ]
    scenes = [
        {
            "index": scene.index,
            "duration_seconds": duration,
            "voiceover_text": line.text,
            "on_screen_text": text,
            "visual_prompt": _visual(scene.visual_direction, brief.name),
        }
        for scene, duration, line, text in zip(
            template.scenes, durations, lines, [*on_screen, brief.cta], strict=True
        )
    ]
    data = {"hook": hook.text, "cta": brief.cta, "scenes": scenes}
    return validate_script(data, style, total_seconds)


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
