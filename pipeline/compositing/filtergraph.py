"""Turns a render plan into ffmpeg inputs and ONE filter graph for the picture.

The picture is built in three layers, each once:
1. the scenes: each backdrop (or hosted clip) with its headline fading in, joined with the
   template's transitions;
2. the hero over all of it, ONE layer moving along its keyframes (so a transition never shows
   two copies of the product): scaled per frame only while it zooms, moved with overlay x/y;
3. the captions, burnt in by libass from the plan's ASS file with the faces we ship.

Cost model (what keeps a 30 s 1080x1920 ad within seconds on two cores):
- every PNG is decoded once; `loop=size=1` repeats the decoded frame by reference;
- layers are converted to their pixel format once, before looping;
- xfade pays per frame for its whole inputs, so it only gets the overlapping frames (`_join`);
  everything else is a plain concat.
The soundtrack is made separately (pipeline.compositing.soundtrack) and muxed in.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.video.plan import Hero, Keyframe, RenderPlan, ScenePlan

HEADLINE_FADE = 0.4


@dataclass
class Graph:
    inputs: list[list[str]] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)

    def add_image(self, path: Path, fps: int) -> int:
        # One decoding thread: a still is decoded once, and every extra thread would hold
        # its own full-frame buffers for nothing.
        self.inputs.append(["-threads", "1", "-framerate", str(fps), "-i", str(path)])
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


Range = tuple[int, int]  # [start, end) frames of a scene


def _clip_scene(
    graph: Graph, plan: RenderPlan, scene: ScenePlan, work_dir: Path, ranges: list[Range]
) -> list[str]:
    """A hosted clip scene (real video), its headline over it, cut into `ranges`."""
    fps = plan.fps
    i = scene.index
    assert scene.clip is not None
    clip = graph.add_clip(work_dir / scene.clip)
    graph.chains.append(_clip(clip, scene.frames, fps, plan.width, plan.height) + f"[cl{i}]")
    source = f"cl{i}"
    if scene.headline is not None:
        head = graph.add_image(work_dir / scene.headline.path, fps)
        fade, fade_end = _fade(scene, fps)
        graph.chains.append(
            _still(head, fade_end, fps, "yuva420p")
            + f",fade=t=in:st=0.05:d={fade:.3f}:alpha=1[h{i}]"
        )
        graph.chains.append(
            f"[cl{i}][h{i}]overlay=x={scene.headline.x}:y={scene.headline.y}:format=yuv420[hl{i}]"
        )
        source = f"hl{i}"
    labels = [f"p{i}_{k}" for k in range(len(ranges))]
    graph.chains.append(f"[{source}]split={len(ranges)}" + "".join(f"[{x}s]" for x in labels))
    for label, (start, end) in zip(labels, ranges, strict=True):
        graph.chains.append(_trim(f"{label}s", start, end, label))
    return labels


def _fade(scene: ScenePlan, fps: int) -> tuple[float, int]:
    """The headline's fade-in (seconds) and the frame from which it is fully in."""
    fade = min(HEADLINE_FADE, scene.frames / fps * 0.15)
    return fade, min(scene.frames, max(2, round((fade + 0.1) * fps)))


def _split(graph: Graph, source: str, labels: list[str]) -> None:
    if labels:
        graph.chains.append(f"{source}split={len(labels)}" + "".join(f"[{x}]" for x in labels))


def _repeat(source: str, frames: int, fps: int, label: str) -> str:
    return f"[{source}]loop=loop={frames - 1}:size=1,setpts=N/({fps}*TB)[{label}]"


def _still_scene(
    graph: Graph, plan: RenderPlan, scene: ScenePlan, work_dir: Path, ranges: list[Range]
) -> list[str]:
    """A still scene cut into `ranges`, each piece made from the decoded stills themselves.

    Nothing is split after it is looped, so no piece waits in a queue for another to be
    consumed (a split video stream buffers every frame its slowest reader has not taken: up to
    a whole scene of 1080x1920 frames). The headline is drawn per frame only while it fades in;
    after that the scene is one composed still, repeated by reference."""
    fps = plan.fps
    i = scene.index
    bg = graph.add_image(work_dir / scene.background, fps)
    labels = [f"p{i}_{k}" for k in range(len(ranges))]
    if scene.headline is None:
        _split(graph, f"[{bg}:v]format=yuv420p,", [f"{x}s" for x in labels])
        for label, (start, end) in zip(labels, ranges, strict=True):
            graph.chains.append(_repeat(f"{label}s", end - start, fps, label))
        return labels
    at = f"x={scene.headline.x}:y={scene.headline.y}:format=yuv420"
    head = graph.add_image(work_dir / scene.headline.path, fps)
    fade, fade_end = _fade(scene, fps)
    fading = [k for k, (start, _) in enumerate(ranges) if start < fade_end]
    settled = [k for k, (_, end) in enumerate(ranges) if end > fade_end]
    bgs = [f"bf{i}_{k}" for k in fading] + ([f"bc{i}"] if settled else [])
    heads = [f"hf{i}_{k}" for k in fading] + ([f"hc{i}"] if settled else [])
    _split(graph, f"[{bg}:v]format=yuv420p,", bgs)
    _split(graph, f"[{head}:v]format=yuva420p,", heads)
    if settled:
        _split(graph, f"[bc{i}][hc{i}]overlay={at},", [f"c{i}_{k}" for k in settled])
    for k, (start, end) in enumerate(ranges):
        parts = []
        if k in fading:
            frames = min(end, fade_end)
            graph.chains.append(_repeat(f"bf{i}_{k}", frames, fps, f"fb{i}_{k}"))
            graph.chains.append(
                _repeat(f"hf{i}_{k}", frames, fps, f"fh{i}_{k}").removesuffix(f"[fh{i}_{k}]")
                + f",fade=t=in:st=0.05:d={fade:.3f}:alpha=1[fh{i}_{k}]"
            )
            cut = f",trim=start_frame={start},setpts=PTS-STARTPTS" if start else ""
            graph.chains.append(f"[fb{i}_{k}][fh{i}_{k}]overlay={at}{cut}[f{i}_{k}]")
            parts.append(f"f{i}_{k}")
        if k in settled:
            frames = end - max(start, fade_end)
            graph.chains.append(_repeat(f"c{i}_{k}", frames, fps, f"r{i}_{k}"))
            parts.append(f"r{i}_{k}")
        if len(parts) == 1:
            labels[k] = parts[0]
        else:
            graph.chains.append(
                "".join(f"[{x}]" for x in parts)
                + f"concat=n=2,settb=1/{fps},setpts=N[{labels[k]}]"  # xfade wants 1/fps
            )
    return labels


def _trim(source: str, start: int, end: int, label: str) -> str:
    return f"[{source}]trim=start_frame={start}:end_frame={end},setpts=PTS-STARTPTS[{label}]"


def _join(graph: Graph, plan: RenderPlan, work_dir: Path) -> str:
    """Scenes in order with their transitions.

    xfade costs per frame for its whole input, not just the overlap, so each scene comes in
    pieces: head (the incoming overlap), body and tail (the outgoing overlap); only tail+head
    pairs go through xfade, and bodies and transitions are concatenated.
    """
    pieces: list[str] = []
    incoming = 0
    heads: dict[int, str] = {}
    tails: dict[int, str] = {}
    bodies: dict[int, str] = {}
    for scene in plan.scenes:
        i = scene.index
        outgoing = scene.transition_frames
        ranges: list[Range] = []
        if incoming:
            ranges.append((0, incoming))
        ranges.append((incoming, scene.frames - outgoing))
        if outgoing:
            ranges.append((scene.frames - outgoing, scene.frames))
        make = _clip_scene if scene.clip is not None else _still_scene
        labels = make(graph, plan, scene, work_dir, ranges)
        if incoming:
            heads[i] = labels.pop(0)
        bodies[i] = labels.pop(0)
        if outgoing:
            tails[i] = labels.pop(0)
        incoming = outgoing
    following: list[ScenePlan | None] = [*plan.scenes[1:], None]
    for previous, upcoming in zip(plan.scenes, following, strict=True):
        pieces.append(bodies[previous.index])
        if upcoming is not None and previous.transition_frames:
            label = f"x{previous.index}"
            duration = previous.transition_frames / plan.fps
            graph.chains.append(
                f"[{tails[previous.index]}][{heads[upcoming.index]}]xfade="
                f"transition={previous.transition}:duration={duration:.4f}:offset=0[{label}]"
            )
            pieces.append(label)
    graph.chains.append(
        "".join(f"[{p}]" for p in pieces) + f"concat=n={len(pieces)}:v=1:a=0,format=yuv420p[scenes]"
    )
    return "scenes"


def _ease(progress: str) -> str:
    """Smoothstep of a 0..1 progress expression: motion starts and settles gently."""
    return f"(({progress})*({progress})*(3-2*({progress})))"


def path_expression(keyframes: list[Keyframe], fps: int, value: str) -> str:
    """An ffmpeg expression of `t` for one keyframed value ("scale", "x" or "y"): eased between
    keyframes, held before the first and after the last."""
    points = [(k.frame / fps, float(getattr(k, value))) for k in keyframes]
    expression = f"{points[-1][1]:.4f}"
    for (t0, v0), (t1, v1) in reversed(list(itertools.pairwise(points))):
        if t1 <= t0:
            continue
        if abs(v1 - v0) < 1e-6:
            segment = f"{v0:.4f}"
        else:
            progress = f"clip((t-{t0:.4f})/{t1 - t0:.4f},0,1)"
            segment = f"({v0:.4f}+({v1 - v0:.4f})*{_ease(progress)})"
        expression = f"if(lt(t,{t1:.4f}),{segment},{expression})"
    return f"if(lt(t,{points[0][0]:.4f}),{points[0][1]:.4f},{expression})"


def _hero(graph: Graph, plan: RenderPlan, hero: Hero, base: str, work_dir: Path) -> str:
    """The hero over the joined scenes, along its keyframes."""
    fps = plan.fps
    image = graph.add_image(work_dir / hero.path, fps)
    scale = path_expression(hero.keyframes, fps, "scale")
    width = f"2*trunc({hero.width}*{scale}/2)"
    height = f"2*trunc({hero.height}*{scale}/2)"
    graph.chains.append(
        _still(image, plan.total_frames, fps, "yuva420p")
        + f",scale=w='{width}':h='{height}':eval=frame:flags=bilinear[hero]"
    )
    x = path_expression(hero.keyframes, fps, "x")
    y = path_expression(hero.keyframes, fps, "y")
    hidden = [s for s in plan.scenes if s.index in hero.hidden_scenes]
    enable = ""
    if hidden:
        spans = "+".join(
            f"between(t,{s.start_frame / fps:.4f},{(s.start_frame + s.frames) / fps:.4f})"
            for s in hidden
        )
        enable = f":enable='not({spans})'"
    graph.chains.append(
        f"[{base}][hero]overlay=x='{x}-w/2':y='{y}-h/2':format=yuv420:eval=frame{enable}[heroed]"
    )
    return "heroed"


def _escape_path(path: Path) -> str:
    """A path inside a filter option: ':' and '\\' and quotes escaped, as ffmpeg wants."""
    return str(path).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")


def build_graph(plan: RenderPlan, work_dir: Path, fonts: Path | None) -> tuple[Graph, str]:
    """The picture's graph and its output label (the soundtrack is added by the caller)."""
    graph = Graph()
    video = _join(graph, plan, work_dir)
    if plan.hero is not None:
        video = _hero(graph, plan, plan.hero, video, work_dir)
    if plan.captions is not None:
        options = f"filename='{_escape_path(work_dir / plan.captions)}'"
        if fonts is not None:
            options += f":fontsdir='{_escape_path(fonts)}'"
        graph.chains.append(f"[{video}]ass={options}[vout]")
    else:
        graph.chains.append(f"[{video}]null[vout]")
    return graph, "[vout]"
