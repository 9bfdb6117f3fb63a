"""voice_gen: real espeak-ng in a child process, fitted to each scene, never cut."""

from __future__ import annotations

import array
import wave
from pathlib import Path

from domain.enums import StageName, Style
from domain.outputs import Completed, ScriptOutput
from pipeline.script.model import validate_script
from pipeline.script.offline import write_script
from pipeline.spec import no_progress
from pipeline.voice.offline import (
    VOICE_STYLES,
    generate_voice,
    speed_up_to_fit,
    synthesise,
    voice_window,
    wav_seconds,
)
from tests.outputs import voice_of
from tests.pipeline.conftest import make_spec
from tests.probe import temp_files

LONG_LINE = (
    "Extraordinary craftsmanship, meticulously engineered, unquestionably sophisticated, "
    "remarkably comfortable, unbelievably durable, environmentally responsible, "
    "exceptionally beautiful, individually personalised, internationally celebrated."
)


def rms(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        samples = array.array("h", wav.readframes(wav.getnframes()))
    return float((sum(s * s for s in samples) / len(samples)) ** 0.5 / 32768)


async def test_voiceovers_fit_their_scenes_and_are_audible(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, style=Style.LUXURY, total_seconds=30.0)
    script = write_script(spec.product_name, spec.style, spec.cta_text, 30.0)
    result = await generate_voice(
        spec, Completed({StageName.SCRIPT_GEN: ScriptOutput(script=script)}), no_progress
    )
    assert result.provider == "espeak-ng"
    scenes = [s.model_dump() for s in voice_of(result).scenes]
    assert [s["index"] for s in scenes] == [1, 2, 3, 4]
    for scene, spoken in zip(script.scenes, scenes, strict=True):
        path = tmp_path / spoken["path"]
        assert not Path(spoken["path"]).is_absolute()
        offset, room = voice_window(scene.duration_seconds)
        assert spoken["offset_seconds"] == offset
        assert 0.5 < spoken["duration_seconds"] <= room
        assert (
            wav_seconds(path) == spoken["duration_seconds"]
            or abs(wav_seconds(path) - spoken["duration_seconds"]) < 1e-3
        )
        assert rms(path) > 0.02
    assert temp_files(tmp_path) == []


async def test_too_long_voiceover_is_sped_up_not_cut(tmp_path: Path) -> None:
    """A line within the word budget but made of long words is re-spoken faster to fit."""
    spec = make_spec(tmp_path, style=Style.LUXURY, total_seconds=30.0)
    data = write_script(spec.product_name, spec.style, spec.cta_text, 30.0).model_dump()
    data["scenes"][0]["voiceover_text"] = LONG_LINE
    validate_script(data, spec.style, 30.0)  # it is a legal script
    natural = await synthesise(
        {
            "voice": "en-gb",
            "rate": VOICE_STYLES[Style.LUXURY].rate,
            "pitch": 40,
            "items": [{"text": LONG_LINE, "path": str(tmp_path / "natural.wav")}],
        },
        no_progress,
    )
    natural_seconds = natural[0]["duration_seconds"]
    _, room = voice_window(8.0)
    assert natural_seconds > room  # the premise: spoken normally it would overrun the scene

    completed = Completed({StageName.SCRIPT_GEN: ScriptOutput.model_validate({"script": data})})
    result = await generate_voice(spec, completed, no_progress)
    first = voice_of(result).scenes[0].model_dump()
    assert first["duration_seconds"] <= room
    assert first["rate_wpm"] > VOICE_STYLES[Style.LUXURY].rate
    # Not truncated: the length shrank in proportion to the speed-up, not more.
    expected = natural_seconds * VOICE_STYLES[Style.LUXURY].rate / first["rate_wpm"]
    assert first["duration_seconds"] >= 0.8 * expected
    assert rms(tmp_path / first["path"]) > 0.02


async def test_time_stretch_fallback_keeps_everything(tmp_path: Path) -> None:
    """When espeak's top rate is not enough, atempo shortens the WAV by exactly the factor."""
    path = tmp_path / "line.wav"
    await synthesise(
        {
            "voice": "en-us",
            "rate": 160,
            "pitch": 50,
            "items": [{"text": LONG_LINE, "path": str(path)}],
        },
        no_progress,
    )
    before = wav_seconds(path)
    after = await speed_up_to_fit(path, before * 0.6)
    assert before * 0.55 <= after <= before * 0.6
    assert rms(path) > 0.02
    assert temp_files(tmp_path) == []
