"""Crash-safe output files: write to a temporary name beside the target, rename when complete.

A stage can be killed at any moment (worker crash, job cancelled). Writing in place would leave a
half-written file under its final name that a retry or the media server could take for finished;
`os.replace` within one directory is atomic, so a reader sees either the old file or the new one.
Temporary names start with `.tmp-` so a sweep (`remove_temp_files`) can find them after a crash.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

TEMP_PREFIX = ".tmp-"


def temp_path_for(final: Path) -> Path:
    """A unique temporary name in the same directory, keeping the suffix (ffmpeg picks the
    muxer from it)."""
    return final.with_name(f"{TEMP_PREFIX}{uuid.uuid4().hex[:12]}-{final.name}")


@contextlib.contextmanager
def atomic_output(final: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success rename it to `final`, on any exit by exception
    (cancellation included) delete it."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(final)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"{final.name} was not written")
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(final: Path, data: bytes) -> None:
    with atomic_output(final) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(final: Path, text: str) -> None:
    write_bytes_atomic(final, text.encode("utf-8"))


def remove_temp_files(directory: Path) -> None:
    """Delete temporary files a crashed earlier run left behind (never finished outputs)."""
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        if path.name.startswith(TEMP_PREFIX) and path.is_file():
            path.unlink(missing_ok=True)


def relative_to_work(path: Path, work_dir: Path) -> str:
    """Output paths are stored relative to work_dir so a job directory can move."""
    return path.relative_to(work_dir).as_posix()
