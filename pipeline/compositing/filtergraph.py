"""Turns a render plan into ffmpeg inputs and ONE filter graph for the picture.

The picture is a shot list (pipeline.video.plan): every shot is a still, decoded once and
converted to the encoder's pixel format once, repeated by reference (`loop=size=1`), and seen
through a frame-sized `crop` whose x/y move along the shot: a crop only offsets the frame's data
pointers, so a pan costs nothing per frame. Shots are joined with hard cuts (`concat`), each
scene's headline steps are joined the same way and overlaid on their scene (the only per-frame
blend, over the headline's box), and the captions are burnt in by libass from the plan's ASS
file with the faces we ship. The soundtrack is made separately
(pipeline.compositing.soundtrack) and muxed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.video.plan import RenderPlan, ScenePlan, Shot


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


def _travel(start: int, end: int, frames: int) -> str:
    """A crop offset moving at a steady pace from `start` to `end` over the shot's frames."""
    if start == end or frames <= 1:
        return str(start)
    return f"{start}+({end - start})*n/{frames - 1}"


def _shot(graph: Graph, plan: RenderPlan, shot: Shot, work_dir: Path, label: str) -> None:
    image = graph.add_image(work_dir / shot.image, plan.fps)
    x = _travel(shot.start[0], shot.end[0], shot.frames)
    y = _travel(shot.start[1], shot.end[1], shot.frames)
    # JPEG is full range: converted once to the video range the ad is encoded and tagged in.
    graph.chains.append(
        f"[{image}:v]scale=in_range=full:out_range=tv,format=yuv420p,"
        f"loop=loop={shot.frames - 1}:size=1,setpts=N/({plan.fps}*TB),"
        f"crop=w={plan.width}:h={plan.height}:x='{x}':y='{y}'[{label}]"
    )


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
        labels = [f"s{i}_{k}" for k in range(len(scene.shots))]
        for shot, label in zip(scene.shots, labels, strict=True):
            _shot(graph, plan, shot, work_dir, label)
        _concat(graph, labels, fps, f"b{i}")
    if not scene.headline:
        return f"b{i}"
    bounds = [*(step.frame for step in scene.headline[1:]), scene.frames]
    steps = [f"h{i}_{k}" for k in range(len(scene.headline))]
    for step, stop, label in zip(scene.headline, bounds, steps, strict=True):
        image = graph.add_image(work_dir / step.path, fps)
        graph.chains.append(_still(image, stop - step.frame, fps, "yuva420p") + f"[{label}]")
    _concat(graph, steps, fps, f"h{i}")
    at = f"x={scene.headline[0].x}:y={scene.headline[0].y}"
    graph.chains.append(f"[b{i}][h{i}]overlay={at}:format=yuv420:eof_action=pass[sc{i}]")
    return f"sc{i}"


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
