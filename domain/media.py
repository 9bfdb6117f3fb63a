"""Where a job's files live and how clients reach them.

Rows and events hold media paths relative to the media root (`uploads/…`, `jobs/<id>/…`), never
URLs: the root can move, and the API turns a path into a URL for whoever asks (`media_url`).
"""

from __future__ import annotations

import uuid

MEDIA_ROUTE = "/media"
JOBS_DIR = "jobs"
UPLOADS_DIR = "uploads"


def job_dir(job_id: uuid.UUID | str) -> str:
    """A job's working directory, relative to the media root."""
    return f"{JOBS_DIR}/{job_id}"


def job_file(job_id: uuid.UUID | str, name: str) -> str:
    """A file a job made, relative to the media root."""
    return f"{job_dir(job_id)}/{name}"


def media_url(path: str | None, public_url: str = "") -> str | None:
    """The URL of a media path: under /media on this server, prefixed with PUBLIC_URL if set."""
    if not path:
        return None
    return f"{public_url.rstrip('/')}{MEDIA_ROUTE}/{path.lstrip('/')}"
