"""Reading jobs (one by id, the owner's newest-first list) and the voices this deployment has."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from db import queries
from db.models import Job
from domain.enums import JobStatus, Style
from domain.voices import LanguageError, Voice, default_voice, voices_for
from resolvers.context import Context
from resolvers.errors import PublicError
from settings import hosted_voice

MAX_PAGE = 100


def parse_job_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


async def get_job(ctx: Context, raw_id: str) -> Job | None:
    job_id = parse_job_id(raw_id)
    if job_id is None:
        return None
    async with ctx.session() as session:
        return await queries.get_job(session, job_id, ctx.owner)


def encode_cursor(job: Job) -> str:
    raw = json.dumps([job.created_at.isoformat(), str(job.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> queries.JobPosition:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, job_id = json.loads(base64.urlsafe_b64decode(padded))
        position = queries.JobPosition(datetime.fromisoformat(created_at), uuid.UUID(job_id))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise PublicError("`after` is not a cursor this server issued") from exc
    if position.created_at.tzinfo is None:
        raise PublicError("`after` is not a cursor this server issued")
    return position


@dataclass(frozen=True, slots=True)
class JobPage:
    jobs: Sequence[Job]
    has_next_page: bool


async def list_jobs(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    status: JobStatus | None,
    style: Style | None,
) -> JobPage:
    if not 1 <= first <= MAX_PAGE:
        raise PublicError(f"`first` must be between 1 and {MAX_PAGE}")
    position = decode_cursor(after) if after else None
    async with ctx.session() as session:
        rows = await queries.list_jobs(
            session, ctx.owner, limit=first + 1, after=position, status=status, style=style
        )
    return JobPage(jobs=rows[:first], has_next_page=len(rows) > first)


def list_voices(ctx: Context, language: str | None) -> list[Voice]:
    """The voices this deployment has, for one language or all ([] for a malformed tag)."""
    try:
        return voices_for(language, hosted_voice(ctx.settings))
    except LanguageError:
        return []


def is_default_voice(ctx: Context, voice: Voice) -> bool:
    """Whether a job in the voice's language that names no voice gets this one."""
    return default_voice(voice.language, hosted_voice(ctx.settings)) == voice
