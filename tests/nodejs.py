"""The Node clients in tests/js (Apollo Client, graphql-http's audit): installed from
tests/js/package-lock.json with `npm ci` when any dependency in package.json is missing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parent / "js"

needs_node = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="node and npm are needed for the tests/js clients",
)


def install_js() -> None:
    dependencies = json.loads((JS / "package.json").read_text())["dependencies"]
    if not all((JS / "node_modules" / name).exists() for name in dependencies):
        npm = shutil.which("npm") or "npm"
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=JS, check=True, timeout=300,
        )  # fmt: skip
