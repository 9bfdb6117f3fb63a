"""The CLI against a real stack, run as a user runs it: `python -m cli …` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devserver.stack import ROOT, Stack
from tests.cli.stack import KEYS, running_stack

API_KEY = KEYS["cli"]


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path_factory.mktemp("cli-stack")) as stack:
        yield stack


def run_cli(
    stack: Stack | None, *args: str, cwd: Path | None = None, timeout: float = 90, **env: str
) -> Result:
    """`python -m cli ARGS` from the repository root (or `cwd`), configured by environment."""
    # Piped, as from a script: no terminal size either (xdist's workers inherit COLUMNS=80).
    inherited = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    environment = {
        **inherited,
        "ADREEL_URL": stack.url if stack else "http://127.0.0.1:9",
        "ADREEL_API_KEY": API_KEY,
        "PYTHONPATH": str(ROOT),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=cwd or ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)
