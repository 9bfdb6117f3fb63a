"""Turns a render plan and the voiceovers into ffmpeg inputs and ONE filter graph.

Cost model (what keeps a 30 s 1080x1920 ad within seconds on two cores):
- every PNG is decoded once; `loop=size=1` repeats the decoded frame by reference, where
  `-loop 1` on the input would decode the PNG again for every frame;
- overlays are converted to yuva420p once, before looping, not per frame by auto-inserted scalers;
- only zoom needs a per-frame `scale`, and it runs on the product layer, not the whole frame;
  pans and push-ups move a single still frame with overlay x/y expressions;
- headlines and captions are single frames that overlay repeats after their end (eof_action=repeat),
  switched on and off with `enable`;
- xfade pays per frame for its whole inputs, so it only gets the overlapping frames (see
  `_join`); everything else is a plain concat, as is a "cut".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from domain.outputs import VoiceScene
from pipeline.compositing.loudness import gain_filter, mix_filter
from pipeline.video.plan import RenderPlan, ScenePlan

ZOOM_FROM = 0.8  # product scale at the start of zoom_in (end of zoom_out)
PAN_SCALE = 0.88
PAN_TRAVEL = 0.07  # of frame width, each side of centre
PUSH_SCALE = 0.92
PUSH_TRAVEL = 0.16  # of frame height, below the final position at the start
HEADLINE_FADE = 0.4
CAPTION_HOLD = 0.15  # seconds a caption stays after the voice ends (if the scene allows)


@dataclass
class Graph:
    inputs: list[list[str]] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)

    def add_image(self, path: Path, fps: int) -> int:
        self.inputs.append(["-framerate", str(fps), "-i", str(path)])
        return len(self.inputs) - 1

    def add_clip(self, path: Path) -> int:
        self.inputs.append(["-an", "-i", str(path)])
        return len(self.inputs) - 1

    def add_audio(self, path: Path) -> int:
        self.inputs.append(["-i", str(path)])
        return len(self.inputs) - 1

    def args(self) -> list[str]:
        return [arg for spec in self.inputs for arg in spec]

    def script(self) -> str:
        return ";\n".join(self.chains)


def _ease(progress: str) -> str:
    """Smoothstep of a 0..1 progress expression: motion starts and settles gently."""
    return f"(({progress})*({progress})*(3-2*({progress})))"


def _still(index: int, frames: int, fps: int, fmt: str) -> str:
    """Decode once, convert once, repeat by reference for `frames` frames at `fps`."""
    return f"[{index}:v]format={fmt},loop=loop={frames - 1}:size=1,setpts=N/({fps}*TB)"


def _clip(index: int, frames: int, fps: int, width: int, height: int) -> str:
    """A hosted clip filling the frame: cover-scaled and centre-cropped to the ad's size,
    resampled to the ad's rate, its last frame held when it is shorter than the scene."""
    return (
        f"[{index}:v]setpts=PTS-STARTPTS,fps={fps},"
        f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},"
        f"setsar=1,format=yuv420p,tpad=stop=-1:stop_mode=clone,trim=end_frame={frames},"
        f"setpts=N/({fps}*TB)"
    )


def _product(
    scene: ScenePlan, product_input: int, fps: int, height: int, width: int
) -> tuple[str, str, str]:
    """The product layer chain and its overlay x/y expressions for the scene's camera motion."""
    assert scene.product is not None
    side = scene.product_side
    seconds = scene.frames / fps
    p = f"clip(t/{seconds:.4f},0,1)"
    x0, y0 = scene.product.x, scene.product.y
    centred_x = f"{x0}+({side}-w)/2"
    centred_y = f"{y0}+({side}-h)/2"
    motion = scene.motion
    if motion in ("zoom_in", "zoom_out"):
        start, end = (ZOOM_FROM, 1.0) if motion == "zoom_in" else (1.0, ZOOM_FROM)
        zoom = f"({start}+({end - start:.3f})*{_ease(p)})"
        chain = (
            _still(product_input, scene.frames, fps, "yuva420p")
            + f",scale=w='2*trunc({side}*{zoom}/2)':h='2*trunc({side}*{zoom}/2)':eval=frame"
        )
        return chain, centred_x, centred_y
    if motion in ("pan_left", "pan_right"):
        size = 2 * round(side * PAN_SCALE / 2)
        travel = round(width * PAN_TRAVEL) * (1 if motion == "pan_right" else -1)
        chain = f"[{product_input}:v]format=yuva420p,scale={size}:{size}"
        return chain, f"{centred_x}+{travel}*(2*{_ease(p)}-1)", centred_y
    if motion == "push_up":
        size = 2 * round(side * PUSH_SCALE / 2)
        travel = round(height * PUSH_TRAVEL)
        out = f"(1-pow(1-{p},3))"  # ease-out: arrives fast, settles slowly
        chain = f"[{product_input}:v]format=yuva420p,scale={size}:{size}"
        return chain, centred_x, f"{centred_y}+{travel}*(1-{out})"
    chain = f"[{product_input}:v]format=yuva420p"
    return chain, centred_x, centred_y


def _captions(
    graph: Graph,
    plan: RenderPlan,
    scene: ScenePlan,
    base: str,
    voice: VoiceScene,
    work_dir: Path,
) -> str:
    """Overlay the scene's caption chunks while its voiceover speaks them (scene-local time, so
    each overlay only runs for its own scene's frames)."""
    spoken_from = voice.offset_seconds
    length = voice.duration_seconds
    scene_end = (scene.frames - scene.transition_frames) / plan.fps
    captions = [c for c in plan.captions if c.scene_index == scene.index]
    for n, caption in enumerate(captions):
        begin = spoken_from + caption.start_fraction * length
        finish = spoken_from + caption.end_fraction * length
        if caption.end_fraction >= 1.0:
            finish = min(finish + CAPTION_HOLD, scene_end)
        image = graph.add_image(work_dir / caption.image.path, plan.fps)
        label = f"c{scene.index}_{n}"
        graph.chains.append(f"[{image}:v]format=yuva420p[{label}i]")
        graph.chains.append(
            f"[{base}][{label}i]overlay=x={caption.image.x}:y={caption.image.y}:format=yuv420"
            f":enable='gte(t,{begin:.3f})*lt(t,{finish:.3f})'[{label}]"
        )
        base = label
    return base


def _scene(
    graph: Graph, plan: RenderPlan, scene: ScenePlan, voice: VoiceScene, work_dir: Path
) -> str:
    """One scene as a stream of `scene.frames` frames starting at t=0."""
    fps = plan.fps
    base = f"bg{scene.index}"
    if scene.clip is not None:
        clip = graph.add_clip(work_dir / scene.clip)
        graph.chains.append(_clip(clip, scene.frames, fps, plan.width, plan.height) + f"[{base}]")
    else:
        bg = graph.add_image(work_dir / scene.background, fps)
        graph.chains.append(_still(bg, scene.frames, fps, "yuv420p") + f"[{base}]")
    if scene.product is not None:
        product_input = graph.add_image(work_dir / scene.product.path, fps)
        chain, x, y = _product(scene, product_input, fps, plan.height, plan.width)
        graph.chains.append(f"{chain}[p{scene.index}]")
        graph.chains.append(
            f"[{base}][p{scene.index}]overlay=x='{x}':y='{y}':format=yuv420[m{scene.index}]"
        )
        base = f"m{scene.index}"
    if scene.headline is not None:
        head = graph.add_image(work_dir / scene.headline.path, fps)
        fade = min(HEADLINE_FADE, scene.frames / fps * 0.15)
        fade_frames = max(2, round((fade + 0.1) * fps))
        graph.chains.append(
            _still(head, fade_frames, fps, "yuva420p")
            + f",fade=t=in:st=0.05:d={fade:.3f}:alpha=1[h{scene.index}]"
        )
        graph.chains.append(
            f"[{base}][h{scene.index}]overlay=x={scene.headline.x}:y={scene.headline.y}"
            f":format=yuv420[hl{scene.index}]"
        )
        base = f"hl{scene.index}"
    return _captions(graph, plan, scene, base, voice, work_dir)


def _trim(source: str, start: int, end: int, label: str) -> str:
    return f"[{source}]trim=start_frame={start}:end_frame={end},setpts=PTS-STARTPTS[{label}]"


def _join(graph: Graph, plan: RenderPlan, labels: list[str]) -> str:
    """Scenes in order with their transitions.

    xfade costs per frame for its whole input, not just the overlap, so each scene is split into
    head (the incoming overlap), body and tail (the outgoing overlap); only tail+head pairs go
    through xfade, and bodies and transitions are concatenated.
    """
    pieces: list[str] = []
    incoming = 0
    heads: dict[int, str] = {}
    tails: dict[int, str] = {}
    for scene, label in zip(plan.scenes, labels, strict=True):
        i = scene.index
        outgoing = scene.transition_frames
        parts = [f"b{i}"]
        if incoming:
            parts.insert(0, f"hd{i}")
        if outgoing:
            parts.append(f"tl{i}")
        graph.chains.append(f"[{label}]split={len(parts)}" + "".join(f"[{p}s]" for p in parts))
        if incoming:
            graph.chains.append(_trim(f"hd{i}s", 0, incoming, f"hd{i}"))
            heads[i] = f"hd{i}"
        graph.chains.append(_trim(f"b{i}s", incoming, scene.frames - outgoing, f"b{i}"))
        if outgoing:
            graph.chains.append(_trim(f"tl{i}s", scene.frames - outgoing, scene.frames, f"tl{i}"))
            tails[i] = f"tl{i}"
        incoming = outgoing
    following: list[ScenePlan | None] = [*plan.scenes[1:], None]
    for previous, upcoming in zip(plan.scenes, following, strict=True):
        pieces.append(f"b{previous.index}")
        if upcoming is not None and previous.transition_frames:
            label = f"x{previous.index}"
            duration = previous.transition_frames / plan.fps
            graph.chains.append(
                f"[{tails[previous.index]}][{heads[upcoming.index]}]xfade="
                f"transition={previous.transition}:duration={duration:.4f}:offset=0[{label}]"
            )
            pieces.append(label)
    graph.chains.append(
        "".join(f"[{p}]" for p in pieces) + f"concat=n={len(pieces)}:v=1:a=0,format=yuv420p[vout]"
    )
    return "[vout]"


def voice_delays_ms(plan: RenderPlan, voices: list[VoiceScene]) -> list[int]:
    """Where each scene's voiceover starts on the ad's timeline, in scene order."""
    by_scene = {voice.index: voice for voice in voices}
    return [
        round((scene.start_frame / plan.fps + by_scene[scene.index].offset_seconds) * 1000)
        for scene in plan.scenes
    ]


def build_graph(
    plan: RenderPlan, voices: list[VoiceScene], work_dir: Path, loudness_lufs: float | None
) -> tuple[list[str], str, str, str]:
    """(input args, filter graph, video label, audio label) for the whole ad."""
    graph = Graph()
    by_scene = {voice.index: voice for voice in voices}
    labels = [_scene(graph, plan, scene, by_scene[scene.index], work_dir) for scene in plan.scenes]
    video = _join(graph, plan, labels)

    first_audio = len(graph.inputs)
    for scene in plan.scenes:
        graph.add_audio(work_dir / by_scene[scene.index].path)
    mix = mix_filter(first_audio, voice_delays_ms(plan, voices), plan.duration_seconds)
    graph.chains.append(
        f"{mix},{gain_filter(loudness_lufs)},"
        "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[aout]"
    )
    return graph.args(), graph.script(), video, "[aout]"
