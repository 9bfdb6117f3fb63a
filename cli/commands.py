"""What each CLI command does, as plain async functions over a `Client`.

`python -m cli` (cli/__main__.py) parses arguments and calls these; `make demo` calls
`create_job` and `watch_job` too, so the demo and the CLI share one code path.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from cli import queries
from cli.client import Client
from cli.progress import follow

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class CliError(Exception):
    """A failure reported to the user in words; `exit_code` is the process's exit status."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# The API's limit on createJob's productImages, checked here too so nine photos are refused
# before any of them is uploaded.
MAX_PHOTOS = 8


@dataclass(frozen=True)
class JobInput:
    """What `create` sends. One photo goes up as productImage, the API's original one-photo
    field, so a server from before productImages takes it too; several go up as productImages,
    in their order. productUrl, too, is sent only when given."""

    name: str | None
    style: str
    cta: str
    aspect: str = "PORTRAIT"
    images: tuple[Path, ...] = ()
    description: str | None = None
    benefits: tuple[str, ...] = ()
    music: str = "AUTO"
    music_track: Path | None = None
    language: str = "en"
    voice: str | None = None
    product_url: str | None = None
    brand_kit: str | None = None  # a brand kit's id (createBrandKit)

    def variables(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "productName": self.name,
            "style": self.style.upper(),
            "ctaText": self.cta,
            "aspectRatio": self.aspect.upper(),
            "productDescription": self.description,
            "keyBenefits": list(self.benefits),
            "music": self.music.upper(),
            "musicTrack": None,
            "language": self.language,
            "voice": self.voice,
        }
        if len(self.images) == 1:
            fields["productImage"] = None
        elif self.images:
            fields["productImages"] = [None] * len(self.images)
        if self.product_url is not None:
            fields["productUrl"] = self.product_url
        if self.brand_kit is not None:
            fields["brandKitId"] = self.brand_kit
        return {"input": fields}

    def files(self) -> dict[str, Path] | None:
        """Each file to upload, by the variable it fills (GraphQL multipart request spec)."""
        files: dict[str, Path] = {}
        if len(self.images) == 1:
            files["input.productImage"] = self.images[0]
        else:
            files.update({f"input.productImages.{i}": path for i, path in enumerate(self.images)})
        if self.music_track is not None:
            files["input.musicTrack"] = self.music_track
        return files or None

    def photo_at(self, field: list[str]) -> Path | None:
        """The file an error's field path names (["input", "productImages", "2"]), if any."""
        if field[:2] != ["input", "productImages"] or len(field) < 3 or not field[2].isdigit():
            return None
        index = int(field[2])
        return self.images[index] if index < len(self.images) else None


@dataclass(frozen=True)
class WatchResult:
    job_id: str
    status: str
    video_url: str | None
    path: Path | None  # where the MP4 was downloaded, if it was


def _field_label(error: dict[str, Any], job: JobInput) -> str:
    """Where an error is, as the user can find it: "productName", "keyBenefits[1]", and for a
    photo the file as well: "productImages[2] (back.jpg)"."""
    field = [str(part) for part in error.get("field") or []]
    path = field[1:] if field[:1] == ["input"] else field
    if not path:
        return "input"
    label = path[0] + "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in path[1:])
    photo = job.photo_at(field)
    return f"{label} ({photo.name})" if photo else label


async def create_job(client: Client, job: JobInput) -> str:
    """Create the job (uploading its photos and music, if any); its id. Field errors are a
    CliError."""
    for image in job.images:
        if not image.is_file():
            raise CliError(f"--image: no such file: {image}", EXIT_BAD_INPUT)
    if job.music_track is not None and not job.music_track.is_file():
        raise CliError(f"--music-track: no such file: {job.music_track}", EXIT_BAD_INPUT)
    data = await client.execute(queries.CREATE_JOB, job.variables(), files=job.files())
    payload = data["createJob"]
    if payload["errors"]:
        lines = [
            f"  {_field_label(e, job)}: {e['message']} ({e['code']})" for e in payload["errors"]
        ]
        raise CliError("the server refused the job:\n" + "\n".join(lines), EXIT_BAD_INPUT)
    job_id: str = payload["job"]["id"]
    return job_id


def check_job_id(job_id: str) -> str:
    try:
        return str(uuid.UUID(job_id))
    except ValueError:
        raise CliError(f"{job_id!r} is not a job id (a UUID)", EXIT_BAD_INPUT) from None


async def get_job(client: Client, job_id: str) -> dict[str, Any]:
    data = await client.execute(queries.JOB, {"id": check_job_id(job_id)})
    if data["job"] is None:
        raise CliError(f"no job {job_id} (it does not exist, or it is not yours)")
    job: dict[str, Any] = data["job"]
    return job


async def watch_job(
    client: Client, job_id: str, console: Console, output: Path | None = None
) -> WatchResult:
    """Show one progress bar per stage until the job ends; download the MP4 to `output` when
    it completed. A job that failed or was cancelled is a CliError."""
    await get_job(client, job_id)
    last = await follow(client, job_id, console)
    status = last.get("status", "UNKNOWN")
    if status != "COMPLETED":
        reason = f": {last['errorMessage']}" if last.get("errorMessage") else ""
        raise CliError(f"job {job_id} {status.lower()}{reason}")
    video_url: str | None = last.get("videoUrl")
    path = None
    if output is not None and video_url:
        path = await client.download(video_url, output)
    return WatchResult(job_id, status, video_url, path)


async def list_jobs(
    client: Client, first: int, status: str | None, style: str | None
) -> list[dict[str, Any]]:
    variables = {
        "first": first,
        "status": status.upper() if status else None,
        "style": style.upper() if style else None,
    }
    data = await client.execute(queries.JOBS, variables)
    return [edge["node"] for edge in data["jobs"]["edges"]]


async def styles(client: Client) -> list[dict[str, Any]]:
    data = await client.execute(queries.STYLES)
    result: list[dict[str, Any]] = data["styles"]
    return result


async def change_job(client: Client, action: str, job_id: str) -> dict[str, Any]:
    """cancel or retry; the job's new state, or a CliError naming why not."""
    mutation, field = {
        "cancel": (queries.CANCEL_JOB, "cancelJob"),
        "retry": (queries.RETRY_JOB, "retryJob"),
    }[action]
    data = await client.execute(mutation, {"id": check_job_id(job_id)})
    payload = data[field]
    if payload["errors"]:
        messages = "; ".join(e["message"] for e in payload["errors"])
        if any(e["code"] == "NOT_FOUND" for e in payload["errors"]):
            messages = f"no job {job_id} (it does not exist, or it is not yours)"
        raise CliError(f"cannot {action} job {job_id}: {messages}")
    job: dict[str, Any] = payload["job"]
    return job
