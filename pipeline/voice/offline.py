"""voice_gen, offline provider: one voiceover per scene that fills the scene, with word timings.

A job's voice is the one it names, else its language's default (domain.voices.default_voice):
English by Piper's joe (pipeline.voice.piper), Spanish, French and Portuguese (and English when
chosen) by Kokoro (pipeline.voice.kokoro), German by espeak-ng. The style sets the neural
narrator's pace and energy (`DELIVERY`).

Each line is fitted to its scene's voice window (a lead-in after the cut and a tail before the
next one): the writer sized it at the style's measured pace, and here the pace
is tuned until the speech fills ~88% of the window: a line that runs long is said faster, one
that runs short a little slower, within natural bounds. A line still too long after that is sped
up with ffmpeg (pitch kept); nothing is ever cut, so every word is heard. Word timings travel
with each scene (captions follow them word by word).

espeak-ng (pipeline.voice.espeak_voice) speaks when the neural voice cannot be loaded. Each
neural engine is loaded once per process, on first use; warm-up loads Piper and prepares
Kokoro's files (so the first Spanish job does not wait for them), not Kokoro itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import structlog

from domain.enums import Style
from domain.media import VOICE_DIR
from domain.outputs import Completed, SpokenWord, VoiceOutput, VoiceScene
from domain.providers import ESPEAK_VOICE, KOKORO_VOICE, OFFLINE_VOICE
from domain.script import FILL, SceneScript
from domain.templates import get_template, voice_window
from domain.text import count_words
from domain.voices import ESPEAK, ESPEAK_VOICES, KOKORO, Voice, default_voice, find_voice
from pipeline.errors import StageError, TransientStageError
from pipeline.script.lines import NoPhrasebook, espeak_voice_for
from pipeline.script.model import completed_script
from pipeline.shared.files import relative_to_work, remove_temp_files
from pipeline.shared.spoken import spoken_text
from pipeline.spec import JobSpec, ProgressFn, StageResult
from pipeline.voice.audio import silent_take, speed_up_to_fit, wav_seconds, write_wav
from pipeline.voice.espeak_voice import VOICE_STYLES, synthesise
from pipeline.voice.kokoro import SAMPLE_RATE as KOKORO_SAMPLE_RATE
from pipeline.voice.kokoro import kokoro
from pipeline.voice.kokoro_model import optimized_model, voices_file
from pipeline.voice.piper import SAMPLE_RATE, Cancelled, Delivery, Speech, narrator

log = structlog.get_logger("pipeline.voice")

VOICE_NAME = "en_US-joe-medium"
DELIVERY: dict[Style, Delivery] = {
    Style.LUXURY: Delivery(length_scale=1.12, noise_scale=0.6, noise_w=0.7),  # unhurried, warm
    Style.ENERGETIC: Delivery(length_scale=0.9, noise_scale=0.75, noise_w=0.9),  # quick, lively
    Style.MINIMAL: Delivery(length_scale=1.0, noise_scale=0.62, noise_w=0.75),  # even
    Style.BOLD: Delivery(length_scale=0.95, noise_scale=0.7, noise_w=0.8),  # firm
}
SHORT = 0.8  # a line filling less of its window than this is said more slowly
NUDGE = 1.06  # a line this much over its window is sped up (atempo), not said again
PARALLEL = 2  # scenes synthesised at once (one onnxruntime thread each)
# espeak-ng's German is heard best said briskly: Whisper's WER on a German ad went from 0.50
# (160 wpm) and 1.0 (130-145 wpm, heard as Yiddish) to 0.45 at 175-190 wpm (README, "Voices").
CLEAREST_RATE = {"de": 175}


class Narrator(Protocol):
    """A neural voice: Piper's narrator or a Kokoro speaker."""

    @property
    def pace(self) -> tuple[float, float]:
        """length_scale bounds (fastest, slowest): past them it stops sounding natural."""
        ...

    def synthesize(
        self, text: str, delivery: Delivery, cancelled: Callable[[], bool] | None = None
    ) -> Speech: ...


async def speak(voice: Narrator, text: str, delivery: Delivery) -> Speech:
    """Synthesise in a worker thread; cancelling the awaiting task stops the synthesis too."""
    stop = threading.Event()
    work = asyncio.ensure_future(asyncio.to_thread(voice.synthesize, text, delivery, stop.is_set))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        stop.set()
        # The thread stops within milliseconds; wait for it, so its CPU is really free.
        with contextlib.suppress(Cancelled, TimeoutError, Exception):
            await asyncio.wait_for(work, timeout=2.0)
        raise


async def fitted(voice: Narrator, text: str, base: Delivery, window: float, fill: bool) -> Speech:
    """The line said at a pace that fills `window` (to ~FILL when `fill`, else just fits).

    One synthesis at the style's pace, and at most one more at a pace predicted from it: a line
    up to NUDGE over its window is kept and sped up by ffmpeg's atempo afterwards (inaudible at
    a few percent), which costs far less than saying it again."""
    speech = await speak(voice, text, base)
    seconds = speech.seconds
    if seconds > window * NUDGE:
        goal = window * 0.97
    elif fill and seconds < window * SHORT:
        goal = window * FILL
    else:
        return speech
    # Pace responds less than proportionally to length_scale (pauses do not stretch):
    # over-correct a bit.
    scale = base.length_scale * (goal / seconds) ** 1.4
    fastest, slowest = voice.pace
    scale = min(slowest, max(fastest, scale))
    if abs(scale - base.length_scale) < 0.01:
        return speech
    again = await speak(voice, text, replace(base, length_scale=scale))
    if fill and speech.seconds <= window and abs(speech.seconds - goal) < abs(again.seconds - goal):
        return speech  # durations vary from run to run: keep the better of the two
    return again


class OfflineVoice:
    """The offline voice_gen stage; the narrator is loaded once per process, on first use."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir

    @property
    def name(self) -> str:
        return OFFLINE_VOICE

    async def warm_up(self) -> None:
        """Load Piper (once per process; a job that needs it waits for the same load) and make
        Kokoro's files ready (a few stat calls once they are)."""
        try:
            await asyncio.to_thread(narrator, self.cache_dir)
        except Exception as exc:
            log.warning("voice.neural_unavailable", error=f"{type(exc).__name__}: {exc}")
        try:
            await asyncio.to_thread(optimized_model, self.cache_dir)
            await asyncio.to_thread(voices_file, self.cache_dir)
        except Exception as exc:
            log.warning("voice.kokoro_unavailable", error=f"{type(exc).__name__}: {exc}")

    async def _neural(self, spec: JobSpec, chosen: Voice) -> tuple[Narrator, str]:
        """The chosen neural voice, loaded (once per process), and the name takes carry."""
        if chosen.engine == KOKORO:
            engine = await asyncio.to_thread(kokoro, self.cache_dir)
            speaker = engine.speaker(chosen.engine_name, spec.language, spec.product_name)
            return speaker, f"kokoro {chosen.engine_name}"
        return await asyncio.to_thread(narrator, self.cache_dir), VOICE_NAME

    async def __call__(
        self, spec: JobSpec, completed: Completed, progress: ProgressFn
    ) -> StageResult:
        script = completed_script(completed, "voice_gen")
        voice_dir = spec.work_dir / VOICE_DIR
        voice_dir.mkdir(parents=True, exist_ok=True)
        await progress(0)
        if spec.voice:
            chosen = find_voice(spec.voice, hosted_voice=True)
        else:
            chosen = default_voice(spec.language, hosted_voice=False)
        if chosen is None or chosen.provider == ESPEAK:
            engine = chosen.engine_name if chosen is not None else default_espeak(spec.language)
            return await espeak_voice(spec, script.scenes, voice_dir, progress, engine)
        try:
            voice, voice_name = await self._neural(spec, chosen)
        except Exception as exc:  # the model could not be loaded: espeak-ng still speaks
            log.warning("voice.neural_unavailable", error=f"{type(exc).__name__}: {exc}")
            fallback = None if spec.language == "en" else default_espeak(spec.language)
            return await espeak_voice(spec, script.scenes, voice_dir, progress, fallback)
        # Scenes are said two at a time: each synthesis uses one core, the target has two.
        running = asyncio.Semaphore(PARALLEL)
        reporting = asyncio.Lock()  # progress is reported by one scene at a time, in order
        done = 0

        async def one(scene: SceneScript) -> VoiceScene:
            nonlocal done
            async with running:
                said = await self._scene(spec, voice, voice_name, scene, voice_dir)
            async with reporting:
                done += 1
                await progress(100 * done // len(script.scenes) - 1)
            return said

        kept = {s.index: r for s in script.scenes if (r := reuse(spec, s, voice_name, voice_dir))}
        tasks = [
            asyncio.ensure_future(one(scene)) for scene in script.scenes if scene.index not in kept
        ]
        try:
            said = {s.index: s for s in await asyncio.gather(*tasks)}
            scenes = [kept.get(s.index) or said[s.index] for s in script.scenes]
        except BaseException:  # the first failure (or a cancel) stops the other scenes too
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        finally:
            remove_temp_files(voice_dir)
        await progress(100)
        provider = OFFLINE_VOICE if voice_name == VOICE_NAME else KOKORO_VOICE
        return StageResult(output=VoiceOutput(scenes=scenes), provider=provider)

    async def _scene(
        self, spec: JobSpec, voice: Narrator, voice_name: str, scene: SceneScript, voice_dir: Path
    ) -> VoiceScene:
        # A wordless scene's silent take, in the voice's own name and sample rate (as its takes).
        rate = SAMPLE_RATE if voice_name == VOICE_NAME else KOKORO_SAMPLE_RATE
        quiet = silent_take(scene, voice_dir, spec.work_dir, voice_name, rate)
        if quiet is not None:
            return quiet
        offset, window = voice_window(scene.duration_seconds)
        is_end_card = scene.index == len(get_template(spec.style).scenes)
        speech = await fitted(
            voice, scene.voiceover_text, DELIVERY[spec.style], window, not is_end_card
        )
        path = voice_dir / f"scene_{scene.index}.wav"
        await asyncio.to_thread(write_wav, path, speech.audio, speech.sample_rate)
        seconds, stretch = speech.seconds, 1.0
        if seconds > window:
            seconds = await speed_up_to_fit(path, window)
            stretch = seconds / speech.seconds
        seconds = round(seconds, 4)
        words = [
            SpokenWord(
                text=w.text,
                start=min(round(w.start * stretch, 3), seconds),
                end=min(round(w.end * stretch, 3), seconds),
            )
            for w in speech.words
        ]
        return VoiceScene(
            index=scene.index,
            path=relative_to_work(path, spec.work_dir),
            duration_seconds=round(seconds, 4),
            offset_seconds=round(offset, 4),
            rate_wpm=round(count_words(scene.voiceover_text) / seconds * 60) if seconds else 0,
            voice=voice_name,
            words=words,
        )


def default_espeak(language: str) -> str:
    """The espeak-ng voice for a language: the one its phrase book was timed with, else the
    catalogue's first."""
    with contextlib.suppress(NoPhrasebook):
        return espeak_voice_for(language)
    voice = next((v for v in ESPEAK_VOICES if v.language == language), None)
    if voice is None:
        raise StageError(f"no offline voice speaks {language!r}")
    return voice.engine_name


def reuse(spec: JobSpec, scene: SceneScript, voice: str, voice_dir: Path) -> VoiceScene | None:
    """The source job's take of this scene, copied here, when a variant says the same line in
    the same voice in the same window (None: say it)."""
    if spec.reuse is None:
        return None
    source, files = spec.reuse.source, spec.reuse.files
    if source.voice is None or not source.script:
        return None
    before = next((s for s in source.script.script.scenes if s.index == scene.index), None)
    take = next((s for s in source.voice.scenes if s.index == scene.index), None)
    if before is None or take is None or take.voice != voice:
        return None
    if (before.voiceover_text, before.duration_seconds) != (
        scene.voiceover_text,
        scene.duration_seconds,
    ):
        return None
    original = files / take.path
    if not original.is_file():
        return None
    target = voice_dir / f"scene_{scene.index}.wav"
    shutil.copyfile(original, target)
    return take.model_copy(update={"path": relative_to_work(target, spec.work_dir), "reused": True})


async def espeak_voice(
    spec: JobSpec,
    scenes: list[SceneScript],
    voice_dir: Path,
    progress: ProgressFn,
    engine: str | None = None,
) -> StageResult:
    """Every scene said by espeak-ng in one child process, fitted to its window; `engine` is
    the espeak-ng voice (default: the style's English one)."""
    style = VOICE_STYLES[spec.style]
    engine = engine or get_template(spec.style).voice
    label = f"espeak-ng {engine}"
    kept = {s.index: r for s in scenes if (r := reuse(spec, s, label, voice_dir))}
    kept |= {
        s.index: q
        for s in scenes
        if s.index not in kept
        and (q := silent_take(s, voice_dir, spec.work_dir, label, SAMPLE_RATE))
    }
    items = []
    for scene in scenes:
        if scene.index in kept:
            continue
        _, window = voice_window(scene.duration_seconds)
        path = voice_dir / f"scene_{scene.index}.wav"
        text = spoken_text(scene.voiceover_text, spec.language)  # "4,90 €": "vier Euro neunzig"
        items.append({"text": text, "path": str(path), "max_seconds": window})
    request = {
        "voice": engine,
        "rate": max(style.rate, CLEAREST_RATE.get(spec.language, 0)),
        "pitch": style.pitch,
        "items": items,
    }
    said: dict[int, VoiceScene] = {}
    try:
        results = await synthesise(request, progress) if items else []
        fresh = [scene for scene in scenes if scene.index not in kept]
        for scene, item, result in zip(fresh, items, results, strict=True):
            offset, window = voice_window(scene.duration_seconds)
            path = Path(str(item["path"]))
            seconds = float(result["duration_seconds"])
            if seconds > window:
                seconds = await speed_up_to_fit(path, window)
            said[scene.index] = VoiceScene(
                index=scene.index,
                path=relative_to_work(path, spec.work_dir),
                duration_seconds=round(seconds, 4),
                offset_seconds=round(offset, 4),
                rate_wpm=int(result["rate"]),
                voice=label,
            )
    except TransientStageError:
        raise
    finally:
        remove_temp_files(voice_dir)
    out = [kept.get(scene.index) or said[scene.index] for scene in scenes]
    await progress(100)
    return StageResult(output=VoiceOutput(scenes=out), provider=ESPEAK_VOICE)


__all__ = ["OfflineVoice", "espeak_voice", "speed_up_to_fit", "wav_seconds"]
