"""Turns a render plan into ffmpeg inputs and ONE filter graph for the picture.

The picture is a shot list (pipeline.video.plan): every shot is a still, decoded once and
converted to the encoder's pixel format once, repeated by reference (`loop=size=1`), and seen
through a frame-sized `crop` whose x/y move along the shot: a crop only offsets the frame's data
pointers, so a pan costs nothing per frame. Motion in layers costs only where it is:
- a product layer is overlaid on its shot along its own path (a blend over its box);
- a punch re-frames a shot's first few frames (`zoompan`, those frames only);
- a transition mixes two shots with `xfade` over its few frames: the shot before it is held on
  that many frames past its last (its crop and layer stay where they ended), so the timeline
  does not move; xfade passes every other frame through untouched. The end card's zoom through
  is mixed from the last scene's held last frame, after the end card's first frame on the
  timeline, so the picture before the end card does not depend on it (pipeline.video.reuse);
- the end card's price tag is overlaid over its box, sliding in.
Shots are otherwise joined with hard cuts (`concat`), each scene's headline steps are joined the
same way and overlaid on their scene (a blend over the headline's box), and the captions are
burnt in by libass from the plan's ASS file with the faces we ship. The soundtrack is made
separately (pipeline.compositing.soundtrack) and muxed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.video.plan import Layer, LayerMotion, RenderPlan, ScenePlan, Shot, TransitionKind

# The xfade transition each kind is (a hard cut is a concat, never a transition).
XFADE: dict[TransitionKind, str] = {
    TransitionKind.SLIDE: "slideleft",
    TransitionKind.ZOOM: "zoomin",
}
# Each layer motion's easing of t (0..1 over its frames, in ffmpeg's expression language).
EASE: dict[LayerMotion, str] = {
    LayerMotion.PARALLAX: "{t}",
    LayerMotion.FLOAT: "(1-pow(1-{t},2))",
    LayerMotion.POP: "(1+2.70158*pow({t}-1,3)+1.70158*pow({t}-1,2))",  # ease-out-back
}


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


def _travel(start: int, end: int, frames: int, ease: str = "{t}", delay: int = 0) -> str:
    """An offset moving from `start` to `end` over `frames` frames (after `delay`), eased, then
    held where it ended (a shot held on under a transition stays where it stopped)."""
    if start == end or frames <= 1:
        return str(start)
    t = f"clip((n-{delay})/{frames - 1},0,1)" if delay else f"min(n/{frames - 1},1)"
    return f"{start}+({end - start})*{ease.format(t=t)}"


def _layer(graph: Graph, layer: Layer, frames: int, fps: int, work_dir: Path, base: str,
           label: str) -> None:  # fmt: skip
    """`layer` overlaid on `base` along its path, for `frames` frames: a blend over its box."""
    image = graph.add_image(work_dir / layer.path, fps)
    ease = EASE[layer.motion]
    x = _travel(layer.start[0], layer.end[0], layer.frames, ease, layer.delay)
    y = _travel(layer.start[1], layer.end[1], layer.frames, ease, layer.delay)
    graph.chains.append(_still(image, frames, fps, "yuva420p") + f"[{label}l]")
    graph.chains.append(
        f"[{base}][{label}l]overlay=x='{x}':y='{y}':eval=frame:format=yuv420[{label}]"
    )


def _shot(
    graph: Graph, plan: RenderPlan, shot: Shot, work_dir: Path, label: str, hold: int
) -> None:
    """The shot's frames, and `hold` more (its last picture, for the transition after it)."""
    image = graph.add_image(work_dir / shot.image, plan.fps)
    frames = shot.frames + hold
    x = _travel(shot.start[0], shot.end[0], shot.frames)
    y = _travel(shot.start[1], shot.end[1], shot.frames)
    layered = shot.layer is not None or shot.punch is not None
    out = f"{label}c" if layered else label
    # JPEG is full range: converted once to the video range the ad is encoded and tagged in.
    graph.chains.append(
        f"[{image}:v]scale=in_range=full:out_range=tv,format=yuv420p,"
        f"loop=loop={frames - 1}:size=1,setpts=N/({plan.fps}*TB),"
        f"crop=w={plan.width}:h={plan.height}:x='{x}':y='{y}',settb=1/{plan.fps}[{out}]"
    )
    if shot.layer is not None:
        done = f"{label}p" if shot.punch is not None else label
        _layer(graph, shot.layer, frames, plan.fps, work_dir, out, done)
        out = done
    if shot.punch is not None:
        _punch(graph, plan, shot.punch.frames, shot.punch.zoom, frames, out, label)


def _punch(
    graph: Graph, plan: RenderPlan, punch: int, zoom: float, frames: int, base: str, label: str
) -> None:
    """The first `punch` frames of `base` enlarged by `zoom` about the centre, easing back to 1;
    the rest passed on as they are (the re-framing costs those frames only)."""
    punch = min(punch, frames - 1)
    if punch < 1:
        graph.chains.append(f"[{base}]null[{label}]")
        return
    w, h, fps = plan.width, plan.height, plan.fps
    z = f"1+{zoom - 1:.4f}*pow(1-on/{punch},2)"
    graph.chains.append(f"[{base}]split[{label}a][{label}b]")
    graph.chains.append(
        f"[{label}a]trim=end_frame={punch},"
        f"zoompan=z='{z}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s={w}x{h}:fps={fps},"
        f"setsar=1[{label}z]"
    )
    graph.chains.append(f"[{label}b]trim=start_frame={punch},setsar=1[{label}r]")
    graph.chains.append(f"[{label}z][{label}r]concat=n=2:v=1:a=0,settb=1/{fps},setpts=N[{label}]")


def _concat(graph: Graph, labels: list[str], fps: int, label: str) -> None:
    if len(labels) == 1:
        graph.chains.append(f"[{labels[0]}]settb=1/{fps},setpts=N[{label}]")
        return
    graph.chains.append(
        "".join(f"[{x}]" for x in labels)
        + f"concat=n={len(labels)}:v=1:a=0,settb=1/{fps},setpts=N[{label}]"
    )


def _scene(graph: Graph, plan: RenderPlan, scene: ScenePlan, work_dir: Path) -> str:
    """One scene: its shots (or its hosted clip) cut together, its headline over them."""
    i = scene.index
    fps = plan.fps
    if scene.clip is not None:
        clip = graph.add_clip(work_dir / scene.clip)
        graph.chains.append(_clip(clip, scene.frames, fps, plan.width, plan.height) + f"[b{i}]")
    else:
        _shots(graph, plan, scene, work_dir, f"b{i}")
    base = f"b{i}"
    end_card = plan.end_card
    if scene is plan.scenes[-1] and end_card is not None and end_card.tag is not None:
        _layer(graph, end_card.tag, scene.frames, fps, work_dir, base, f"t{i}")
        base = f"t{i}"
    if not scene.headline:
        return base
    bounds = [*(step.frame for step in scene.headline[1:]), scene.frames]
    steps = [f"h{i}_{k}" for k in range(len(scene.headline))]
    for step, stop, label in zip(scene.headline, bounds, steps, strict=True):
        image = graph.add_image(work_dir / step.path, fps)
        graph.chains.append(_still(image, stop - step.frame, fps, "yuva420p") + f"[{label}]")
    _concat(graph, steps, fps, f"h{i}")
    at = f"x={scene.headline[0].x}:y={scene.headline[0].y}"
    graph.chains.append(f"[{base}][h{i}]overlay={at}:format=yuv420:eof_action=pass[sc{i}]")
    return f"sc{i}"


def _parts(graph: Graph, stream: str, bounds: list[tuple[int, int | None]], fps: int,
           labels: list[str]) -> None:  # fmt: skip
    """`stream` cut into frame ranges [start, stop) (stop None: to its end), each its own
    stream from pts 0; split by reference, so only the frames a part keeps cost anything."""
    if len(bounds) == 1 and bounds[0] == (0, None):
        graph.chains.append(f"[{stream}]null[{labels[0]}]")
        return
    outs = [f"{stream}_{k}" for k in range(len(bounds))]
    graph.chains.append(f"[{stream}]split={len(bounds)}" + "".join(f"[{o}]" for o in outs))
    for out, (start, stop), label in zip(outs, bounds, labels, strict=True):
        end = f":end_frame={stop}" if stop is not None else ""
        graph.chains.append(
            f"[{out}]trim=start_frame={start}{end},setpts=PTS-STARTPTS,settb=1/{fps}[{label}]"
        )


def _shots(graph: Graph, plan: RenderPlan, scene: ScenePlan, work_dir: Path, label: str) -> None:
    """The scene's shots joined: a hard cut by `concat`; a transition by `xfade` of the shot
    before's held frames and the shot's first ones only (xfade works in 4:4:4, so every frame
    through it is converted twice: only the transition's frames go through it)."""
    fps = plan.fps
    shots = scene.shots
    # How each shot comes in from the one before it in this scene (a scene's first shot comes
    # in from the scene before: build_graph joins scenes).
    ins = [0, *(0 if s.enter.kind == TransitionKind.CUT else s.enter.frames for s in shots[1:])]
    holds = [*ins[1:], 0]
    segments: list[str] = []
    for k, (shot, head, hold) in enumerate(zip(shots, ins, holds, strict=True)):
        whole = f"{label}_{k}"
        _shot(graph, plan, shot, work_dir, whole, hold)
        bounds: list[tuple[int, int | None]] = []
        names: list[str] = []
        if head:
            bounds.append((0, head))
            names.append(f"{label}_{k}i")
        bounds.append((head, shot.frames if hold else None))
        names.append(f"{label}_{k}m")
        if hold:
            bounds.append((shot.frames, None))
            names.append(f"{label}_{k}o")
        _parts(graph, whole, bounds, fps, names)
        if head:
            mixed = f"{label}_{k}x"
            _xfade(graph, f"{label}_{k - 1}o", names[0], shot.enter.kind, head, fps, mixed)
            segments.append(mixed)
        segments.append(f"{label}_{k}m")
    _concat(graph, segments, fps, label)


def _xfade(graph: Graph, before: str, after: str, kind: TransitionKind, frames: int, fps: int,
           label: str) -> None:  # fmt: skip
    """`before` giving way to `after`, both `frames` frames long: `frames` frames."""
    graph.chains.append(
        f"[{before}][{after}]xfade=transition={XFADE[kind]}:duration={frames / fps:.6f}:"
        f"offset=0,format=yuv420p,settb=1/{fps},setpts=N[{label}]"
    )


def _escape_path(path: Path) -> str:
    """A path inside a filter option: ':' and '\\' and quotes escaped, as ffmpeg wants."""
    return str(path).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")


def ass_filter(captions: Path, fonts: Path | None) -> str:
    """libass drawing an ASS file (with the faces in `fonts`), as a filter: the captions burnt
    in here, and drawn alone by the preflight to find where their ink lands."""
    options = f"filename='{_escape_path(captions)}'"
    if fonts is not None:
        options += f":fontsdir='{_escape_path(fonts)}'"
    return f"ass={options}"


def build_graph(plan: RenderPlan, work_dir: Path, fonts: Path | None) -> tuple[Graph, str]:
    """The picture's graph and its output label (the soundtrack is added by the caller)."""
    graph = Graph()
    scenes = [_scene(graph, plan, scene, work_dir) for scene in plan.scenes]
    last = plan.scenes[-1]
    enter = last.shots[0].enter if last.clip is None and last.shots else None
    if len(scenes) > 1 and enter is not None and enter.kind != TransitionKind.CUT:
        # Into the end card: the scene before it held on its last frame, mixed into it.
        before, fps = plan.scenes[-2], plan.fps
        _parts(graph, scenes[-2], [(0, None), (before.frames - 1, None)], fps,
               ["last_scene", "last_frame"])  # fmt: skip
        graph.chains.append(f"[last_frame]tpad=stop={enter.frames - 1}:stop_mode=clone[held]")
        _parts(graph, scenes[-1], [(0, enter.frames), (enter.frames, None)], fps,
               ["end_in", "end_rest"])  # fmt: skip
        _xfade(graph, "held", "end_in", enter.kind, enter.frames, fps, "into_end")
        scenes = [*scenes[:-2], "last_scene", "into_end", "end_rest"]
    graph.chains.append(
        "".join(f"[{s}]" for s in scenes) + f"concat=n={len(scenes)}:v=1:a=0,format=yuv420p[pic]"
    )
    picture = "[pic]"
    if plan.mark is not None:  # a brand kit's logo, small, in a corner until the end card
        mark = graph.add_image(work_dir / plan.mark.image, plan.fps)
        at = f"x={plan.mark.x}:y={plan.mark.y}:enable='lt(n,{plan.mark.until_frame})'"
        graph.chains.append(f"[pic][{mark}:v]overlay={at}:format=yuv420,format=yuv420p[marked]")
        picture = "[marked]"
    if plan.captions is not None:
        graph.chains.append(f"{picture}{ass_filter(work_dir / plan.captions, fonts)}[vout]")
    else:
        graph.chains.append(f"{picture}null[vout]")
    return graph, "[vout]"
