"""Where a job's files live and how clients reach them.

Rows and events hold media paths relative to the media root (`uploads/…`, `jobs/<id>/…`), never
URLs: the root can move, and the media store signs a URL for whoever asks (storage).

Each stage leaves what later stages (or the viewer) need in one place in the job's directory
(`STAGE_FILES`): what a worker uploads, what a resumed job downloads, what a variant copies.
"""

from __future__ import annotations

import uuid

from domain.enums import StageName

MEDIA_ROUTE = "/media"
JOBS_DIR = "jobs"
UPLOADS_DIR = "uploads"
VOICE_DIR = "voice"  # the voiceover WAVs
VIDEO_DIR = "video"  # the render plan, its layers and captions
AD_FILE = "ad.mp4"  # the finished ad

STAGE_FILES: dict[StageName, str | None] = {
    StageName.SCRIPT_GEN: None,  # the script is in the stage's data
    StageName.VOICE_GEN: VOICE_DIR,
    StageName.VIDEO_GEN: VIDEO_DIR,
    StageName.COMPOSITING: AD_FILE,
}


def job_dir(job_id: uuid.UUID | str) -> str:
    """A job's working directory, relative to the media root."""
    return f"{JOBS_DIR}/{job_id}"


def job_file(job_id: uuid.UUID | str, name: str) -> str:
    """A file a job made, relative to the media root."""
    return f"{job_dir(job_id)}/{name}"
