"""voice_gen, hosted: an OpenAI-compatible text-to-speech API (POST {base}/audio/speech).

One request per scene (concurrently, at most TTS_CONCURRENCY at once per worker process), with
a voice and speaking speed per style. The returned audio (MP3) is converted to WAV with ffmpeg
and fitted to its scene exactly as the offline voice is (sped up if too long, never cut), so the
stage's outputs have the offline shape and compositing is unchanged. Priced per character.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from domain.enums import Style
from domain.media import VOICE_DIR
from domain.outputs import Completed, VoiceOutput, VoiceScene
from domain.pricing import Prices
from domain.providers import RetryPolicy, SpeechConfig
from domain.script import SceneScript
from domain.templates import voice_window
from domain.text import count_words
from domain.voices import HOSTED, find_voice
from pipeline.providers.errors import ProviderError
from pipeline.providers.http import first_error, send
from pipeline.providers.usage import Call, Ledger
from pipeline.script.model import completed_script
from pipeline.shared.ffmpeg import FfmpegError, run_ffmpeg
from pipeline.shared.files import atomic_output, relative_to_work, remove_temp_files, temp_path_for
from pipeline.spec import JobSpec, ProgressFn, StageResult
from pipeline.voice.audio import silent_take, speed_up_to_fit, wav_seconds

PROVIDER = "openai-tts"
AUDIO_FORMAT = "mp3"
SAMPLE_RATE = 24000  # what OpenAI's voices are synthesised at


@dataclass(frozen=True)
class HostedVoiceStyle:
    voice: str
    speed: float  # 0.25..4.0, 1.0 is the voice's natural pace


HOSTED_VOICES: dict[Style, HostedVoiceStyle] = {
    Style.LUXURY: HostedVoiceStyle(voice="onyx", speed=0.95),
    Style.ENERGETIC: HostedVoiceStyle(voice="nova", speed=1.1),
    Style.MINIMAL: HostedVoiceStyle(voice="alloy", speed=1.0),
    Style.BOLD: HostedVoiceStyle(voice="ash", speed=1.05),
}


class HostedVoice:
    """A StageFn for voice_gen. One instance (connection pool, concurrency limit) per process."""

    def __init__(
        self,
        config: SpeechConfig,
        retries: RetryPolicy,
        prices: Prices,
        secrets: Sequence[str],
    ) -> None:
        self.config = config
        self.retries = retries
        self.prices = prices
        self.secrets = tuple(secrets)
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(config.timeout_seconds))
        self.slots = asyncio.Semaphore(config.concurrency)

    @property
    def name(self) -> str:
        return f"{PROVIDER} ({self.config.model})"

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __call__(
        self, spec: JobSpec, completed: Completed, progress: ProgressFn
    ) -> StageResult:
        script = completed_script(completed, "voice_gen")
        voice_dir = spec.work_dir / VOICE_DIR
        voice_dir.mkdir(parents=True, exist_ok=True)
        ledger = Ledger(PROVIDER, self.config.model)
        done = 0

        async def one(scene: SceneScript) -> VoiceScene:
            nonlocal done
            entry = await self._scene(spec, scene, voice_dir, ledger)
            done += 1
            await progress(int(95 * done / len(script.scenes)))
            return entry

        await progress(0)
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(scene)) for scene in script.scenes]
        except BaseExceptionGroup as failed:
            error = first_error(failed)
            if isinstance(error, ProviderError):
                error.calls = [*ledger.calls, *error.calls]
            raise error from None
        finally:
            remove_temp_files(voice_dir)
        output = VoiceOutput(scenes=[task.result() for task in tasks], hosted=ledger.usage())
        await progress(100)
        return StageResult(output=output, provider=self.name, cost_usd=float(ledger.cost))

    async def _scene(
        self, spec: JobSpec, scene: SceneScript, voice_dir: Path, ledger: Ledger
    ) -> VoiceScene:
        style = HOSTED_VOICES[spec.style]
        chosen = find_voice(spec.voice, hosted_voice=True) if spec.voice else None
        if chosen is not None and chosen.provider == HOSTED:
            style = replace(style, voice=chosen.engine_name)
        quiet = silent_take(scene, voice_dir, spec.work_dir, style.voice, SAMPLE_RATE)
        if quiet is not None:
            return quiet  # nothing to say: nothing to pay for
        text = scene.voiceover_text
        async with self.slots:
            response = await send(
                self.client,
                "POST",
                f"{self.config.base_url.rstrip('/')}/audio/speech",
                what=f"speech for scene {scene.index}",
                max_retries=self.retries.max_retries,
                base_seconds=self.retries.retry_base_seconds,
                secrets=self.secrets,
                headers={"Authorization": f"Bearer {self.config.api_key.get_secret_value()}"},
                json={
                    "model": self.config.model,
                    "input": text,
                    "voice": style.voice,
                    "response_format": AUDIO_FORMAT,
                    "speed": style.speed,
                },
            )
        ledger.add(
            Call(
                "speech",
                {"scene": scene.index, "characters": len(text)},
                self.prices.tts(len(text)),
            )
        )
        if not response.content:
            raise ProviderError(f"the speech API returned no audio for scene {scene.index}")
        final = voice_dir / f"scene_{scene.index}.wav"
        source = temp_path_for(final.with_suffix(f".{AUDIO_FORMAT}"))
        try:
            source.write_bytes(response.content)
            with atomic_output(final) as tmp:
                args = ["-i", str(source), "-ac", "1", "-ar", str(SAMPLE_RATE)]
                await run_ffmpeg(
                    [*args, "-c:a", "pcm_s16le", "-y", str(tmp)], progress=None, duration=None
                )
        except FfmpegError as exc:
            raise ProviderError(
                f"the speech API's audio for scene {scene.index} could not be decoded: "
                + (exc.stderr_tail[-1] if exc.stderr_tail else "no output")
            ) from exc
        finally:
            source.unlink(missing_ok=True)
        offset, max_seconds = voice_window(scene.duration_seconds)
        seconds = wav_seconds(final)
        if seconds > max_seconds:
            seconds = await speed_up_to_fit(final, max_seconds)
        return VoiceScene(
            index=scene.index,
            path=relative_to_work(final, spec.work_dir),
            duration_seconds=round(seconds, 4),
            offset_seconds=round(offset, 4),
            rate_wpm=round(count_words(text) / seconds * 60) if seconds else 0,
            voice=style.voice,
        )
