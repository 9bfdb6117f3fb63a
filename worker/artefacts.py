"""Moving a job's files between this machine's work directory and the media store.

With local storage the work directory is inside the store and every function here returns at
once. With S3 (MEDIA_STORAGE=s3):
- before a run, `bring_in` downloads what this machine lacks: the uploaded photo and music, and
  the artefacts of every stage already COMPLETED (a run resuming another machine's job starts
  from an empty disk);
- after each stage, `keep` uploads that stage's artefacts *before* the stage is recorded as
  COMPLETED, so a completed stage always has its files in the store;
- when the run ends, `clear` removes the local copies, so workers do not fill their disks.

Each stage writes its artefacts in one place in the work directory (domain.media.STAGE_FILES);
a stage's scratch files (temporaries, the compositing stage's intermediate picture) stay local.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import structlog

from domain import media
from domain.enums import StageName
from pipeline.video.plan import CAPTIONS_FILE, PLAN_FILE
from storage import MediaStore

log = structlog.get_logger("worker.artefacts")

TRANSFERS = 8  # files moved at once
VOICE_FILES = media.VOICE_DIR
AD_FILE = media.AD_FILE
# What tells a CTA variant that its picture before the end card is its source's.
PLAN_FILES = (f"{media.VIDEO_DIR}/{PLAN_FILE}", f"{media.VIDEO_DIR}/{CAPTIONS_FILE}")


def local_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    # Links (the caption faces, into the fonts package) are this machine's: never uploaded.
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
    )


async def keep(store: MediaStore, job_id: str, work_dir: Path, stage: StageName) -> int:
    """Upload a finished stage's artefacts; returns the bytes sent."""
    where = media.STAGE_FILES[stage]
    if store.is_work_dir or where is None:
        return 0
    files = local_files(work_dir / where)
    limit = asyncio.Semaphore(TRANSFERS)

    async def put(path: Path) -> None:
        async with limit:
            key = media.job_file(job_id, path.relative_to(work_dir).as_posix())
            await store.put_file(key, path)

    await asyncio.gather(*(put(path) for path in files))
    sent = sum(path.stat().st_size for path in files)
    log.info("artefacts.kept", stage=stage.value, files=len(files), bytes=sent)
    return sent


async def bring_in(
    store: MediaStore,
    job_id: str,
    work_dir: Path,
    completed: list[StageName],
    inputs: list[tuple[str, Path]],
) -> int:
    """Download the job's inputs (key, local path) and its completed stages' artefacts that are
    not on this machine; returns how many files came down."""
    if store.is_work_dir:
        return 0
    wanted: list[tuple[str, Path]] = [(key, path) for key, path in inputs]
    prefix = media.job_dir(job_id) + "/"
    for stage in completed:
        where = media.STAGE_FILES[stage]
        if where is None or where == media.AD_FILE:  # the final MP4 is no later stage's input
            continue
        for key in await store.list(prefix + where):
            wanted.append((key, work_dir / key.removeprefix(prefix)))
    missing = [(key, path) for key, path in wanted if not path.is_file()]
    limit = asyncio.Semaphore(TRANSFERS)

    async def get(key: str, path: Path) -> None:
        async with limit:
            await store.fetch(key, path)

    await asyncio.gather(*(get(key, path) for key, path in missing))
    if missing:
        log.info("artefacts.brought_in", files=len(missing))
    return len(missing)


def clear(store: MediaStore, work_dir: Path, inputs: list[Path]) -> None:
    """Remove this machine's copies once the run is over (the store keeps the originals)."""
    if store.is_work_dir:
        return
    shutil.rmtree(work_dir, ignore_errors=True)
    for path in inputs:
        path.unlink(missing_ok=True)
