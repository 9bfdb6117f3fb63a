"""Turns a render plan and the voiceovers into ffmpeg inputs and ONE filter graph.

Cost model (what keeps a 30 s 1080×1920 ad within seconds on two cores):
- every PNG is decoded once; `loop=size=1` repeats the decoded frame by reference, where
  `-loop 1` on the input would decode the PNG again for every frame;
- overlays are converted to yuva420p once, before looping, not per frame by auto-inserted scalers;
- only zoom needs a per-frame `scale`, and it runs on the product layer, not the whole frame;
  pans and push-ups move a single still frame with overlay x/y expressions;
- headlines and captions are single frames that overlay repeats after their end (eof_action=repeat),
  switched on and off with `enable`;
- xfade only does work inside its overlap; "cut" is a plain concat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.render_plan import RenderPlan, ScenePlan

ZOOM_FROM = 0.8  # product scale at the start of zoom_in (end of zoom_out)
PAN_SCALE = 0.88
PAN_TRAVEL = 0.07  # of frame width, each side of centre
PUSH_SCALE = 0.92
PUSH_TRAVEL = 0.16  # of frame height, below the final position at the start
HEADLINE_FADE = 0.4
CAPTION_HOLD = 0.15  # seconds a caption stays after the voice ends (if the scene allows)
LOUDNESS = "loudnorm=I=-16:TP=-1.5:LRA=11"


@dataclass
class Graph:
    inputs: list[list[str]] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)

    def add_image(self, path: Path, fps: int) -> int:
        self.inputs.append(["-framerate", str(fps), "-i", str(path)])
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


def _product(graph: Graph, scene: ScenePlan, product_input: int, fps: int, height: int, width: int) -> tuple[str, str, str]:
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


def _scene(graph: Graph, plan: RenderPlan, scene: ScenePlan, work_dir: Path) -> str:
    fps = plan.fps
    label = f"s{scene.index}"
    bg = graph.add_image(work_dir / scene.background, fps)
    base = f"bg{scene.index}"
    graph.chains.append(_still(bg, scene.frames, fps, "yuv420p") + f"[{base}]")
    if scene.product is not None:
        product_input = graph.add_image(work_dir / scene.product.path, fps)
        chain, x, y = _product(graph, scene, product_input, fps, plan.height, plan.width)
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
            f":format=yuv420[{label}]"
        )
    else:
        graph.chains.append(f"[{base}]null[{label}]")
    return label


def _join(graph: Graph, plan: RenderPlan, labels: list[str]) -> str:
    current = labels[0]
    for previous, scene, label in zip(plan.scenes, plan.scenes[1:], labels[1:], strict=False):
        out = f"j{scene.index}"
        if previous.transition == "cut" or previous.transition_frames == 0:
            graph.chains.append(f"[{current}][{label}]concat=n=2:v=1:a=0[{out}]")
        else:
            duration = previous.transition_frames / plan.fps
            offset = scene.start_frame / plan.fps
            graph.chains.append(
                f"[{current}][{label}]xfade=transition={previous.transition}"
                f":duration={duration:.4f}:offset={offset:.4f}[{out}]"
            )
        current = out
    return current


def build_graph(
    plan: RenderPlan, voices: list[dict[str, Any]], work_dir: Path
) -> tuple[list[str], str, str, str]:
    """(input args, filter graph, video label, audio label) for the whole ad."""
    graph = Graph()
    labels = [_scene(graph, plan, scene, work_dir) for scene in plan.scenes]
    video = _join(graph, plan, labels)
    by_scene = {int(voice["index"]): voice for voice in voices}
    starts = {scene.index: scene.start_frame / plan.fps for scene in plan.scenes}
    ends = {
        scene.index: (scene.start_frame + scene.frames - scene.transition_frames) / plan.fps
        for scene in plan.scenes
    }
    for n, caption in enumerate(plan.captions):
        voice = by_scene[caption.scene_index]
        spoken_from = starts[caption.scene_index] + float(voice["offset_seconds"])
        length = float(voice["duration_seconds"])
        begin = spoken_from + caption.start_fraction * length
        finish = spoken_from + caption.end_fraction * length
        if caption.end_fraction >= 1.0:
            finish = min(finish + CAPTION_HOLD, ends[caption.scene_index])
        image = graph.add_image(work_dir / caption.image.path, plan.fps)
        graph.chains.append(f"[{image}:v]format=yuva420p[c{n}]")
        graph.chains.append(
            f"[{video}][c{n}]overlay=x={caption.image.x}:y={caption.image.y}:format=yuv420"
            f":enable='gte(t,{begin:.3f})*lt(t,{finish:.3f})'[v{n}]"
        )
        video = f"v{n}"
    graph.chains.append(f"[{video}]format=yuv420p[vout]")

    total = plan.duration_seconds
    mixed = []
    for voice in sorted(voices, key=lambda v: int(v["index"])):
        audio = graph.add_audio(work_dir / str(voice["path"]))
        delay = round((starts[int(voice["index"])] + float(voice["offset_seconds"])) * 1000)
        graph.chains.append(f"[{audio}:a]aresample=48000,adelay=delays={delay}:all=1[a{audio}]")
        mixed.append(f"[a{audio}]")
    graph.chains.append(
        f"{''.join(mixed)}amix=inputs={len(mixed)}:normalize=0:duration=longest,"
        f"apad=whole_dur={total:.4f},atrim=end={total:.4f},{LOUDNESS},"
        "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[aout]"
    )
    return graph.args(), graph.script(), "[vout]", "[aout]"
