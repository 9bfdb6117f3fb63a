"""The layout holds: imports point one way, and the API does not load the renderer.

Layers (README "How it works"): the API (server, web, schema, resolvers) and the worker
(worker, pipeline) both stand on the shared parts (domain, db, events, lifecycle, storage,
settings, logs); domain imports nothing of ours; pipeline knows nothing of the database, the
queue or the API. The sanctioned crossings: the cost estimate, which prices the worker's own
prompts, and the beats of an uploaded track, found by the compositor's own beat tracker (both
imported only when used, so the API still loads no renderer at start-up).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API = {"server", "web", "schema", "resolvers"}
WORKER = {"worker", "pipeline"}
SHARED = {"domain", "db", "events", "lifecycle", "settings", "logs", "storage"}
FORBIDDEN: dict[str, set[str]] = {
    **dict.fromkeys(API, WORKER),
    **dict.fromkeys(SHARED, API | WORKER),
    "domain": API | WORKER | (SHARED - {"domain"}),
    "pipeline": API | {"worker", "db", "events", "lifecycle"},
    "worker": API,
}
SANCTIONED = {
    ("resolvers/estimate_cost.py", "pipeline.providers.estimate"),
    ("resolvers/beats.py", "pipeline.music.beats"),
    ("resolvers/beats.py", "pipeline.shared.ffmpeg"),
}
# What the API may load of pipeline/: the estimate and the prompt text it prices.
API_MAY_LOAD = {
    "pipeline",
    "pipeline.providers",
    "pipeline.providers.estimate",
    "pipeline.script",
    "pipeline.script.claude_prompts",
}


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def test_imports_point_one_way() -> None:
    wrong = []
    for path in sorted(ROOT.glob("*.py")) + sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        layer = relative.split("/")[0].removesuffix(".py")
        if layer not in FORBIDDEN:
            continue
        for name in _imports(path):
            if name.split(".")[0] in FORBIDDEN[layer] and (relative, name) not in SANCTIONED:
                wrong.append(f"{relative} imports {name}")
    assert wrong == []


@pytest.mark.slow
def test_the_api_loads_no_renderer() -> None:
    loaded = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import json, sys, server; print(json.dumps(list(sys.modules)))",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    pipeline = {m for m in loaded if m == "pipeline" or m.startswith("pipeline.")}
    assert pipeline <= API_MAY_LOAD, sorted(pipeline - API_MAY_LOAD)
    # No image library, no ffmpeg or espeak wheel, no hosted SDK, no worker of ours.
    heavy = {"PIL", "imageio_ffmpeg", "espeakng_loader", "anthropic", "worker"}
    assert [m for m in loaded if m.split(".")[0] in heavy] == []


def test_the_readme_layout_names_every_top_level_part() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Layout\n", 1)[1].split("```")[1]
    named = {word.rstrip("/") for line in block.splitlines() for word in line.split()[:6]}
    made_here = {"var", "__pycache__"}  # run-time output, not source
    parts = {
        path.name
        for path in ROOT.iterdir()
        if not path.name.startswith(".")
        and path.name not in made_here
        and (path.is_dir() or path.suffix == ".py")
    }
    assert parts - named == set(), f"not in the README's layout: {sorted(parts - named)}"


# Inside pipeline/, bottom to top: a module imports only from its own layer and those below.
# The stages are providers of one output each; they share what is below them and hand on
# data (domain.outputs), never calls: none imports a stage above it, and the stage table on top
# (which provider runs each stage) is the only one that knows them all.
PIPELINE_LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", (
        "pipeline/__init__.py", "pipeline/errors.py", "pipeline/spec.py", "pipeline/shared/",
        "pipeline/music/", "pipeline/providers/__init__.py", "pipeline/providers/errors.py",
        "pipeline/providers/http.py", "pipeline/providers/images.py",
        "pipeline/providers/usage.py",
    )),
    ("script", ("pipeline/script/",)),
    ("voice", ("pipeline/voice/",)),
    ("video", ("pipeline/video/",)),
    # The preflight measures compositing's file (as the soundtrack measures its mix) and
    # compositing runs it on the file it has made: one layer.
    ("compositing", ("pipeline/compositing/", "pipeline/preflight/")),
    ("stage table", (
        "pipeline/stages.py", "pipeline/providers/choice.py", "pipeline/providers/fallback.py",
        "pipeline/providers/estimate.py",
    )),
]  # fmt: skip


def _pipeline_layer(relative: str) -> int:
    """The layer of a pipeline module (a file, or a package by its __init__.py)."""
    matches = [
        (len(prefix), rank)
        for rank, (_, prefixes) in enumerate(PIPELINE_LAYERS)
        for prefix in prefixes
        if relative == prefix or (prefix.endswith("/") and relative.startswith(prefix))
    ]
    assert matches, f"{relative} is in no layer of PIPELINE_LAYERS: place it"
    return max(matches)[1]


def _module_file(name: str) -> str:
    path = ROOT / Path(*name.split("."))
    return (
        (path / "__init__.py" if path.is_dir() else path.with_suffix(".py"))
        .relative_to(ROOT)
        .as_posix()
    )


def test_pipeline_layers_import_downwards() -> None:
    upward = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        layer = _pipeline_layer(relative)
        for name in _imports(path):
            if not name.startswith("pipeline"):
                continue
            target = _pipeline_layer(_module_file(name))
            if target > layer:
                upward.append(
                    f"{relative} ({PIPELINE_LAYERS[layer][0]}) imports {name} "
                    f"({PIPELINE_LAYERS[target][0]})"
                )
    assert upward == []


def test_providers_never_import_each_other() -> None:
    """A stage's offline and hosted providers share what is below them (the plan, the drawing,
    the narrator's parts); only the stage table names them."""
    table = {prefix for prefix in PIPELINE_LAYERS[-1][1]}
    providers = ("offline", "hosted")
    wrong = [
        f"{path.relative_to(ROOT).as_posix()} imports {name}"
        for path in sorted((ROOT / "pipeline").rglob("*.py"))
        if path.relative_to(ROOT).as_posix() not in table
        for name in _imports(path)
        if name.startswith("pipeline.") and name.rsplit(".", 1)[-1] in providers
    ]
    assert wrong == []
