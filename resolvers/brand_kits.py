"""Brand kits: create, update, delete, list; and the snapshot a job takes of one.

Owned like jobs: another owner's kit does not exist for the caller (not found, never
"forbidden"). Like createJob, nothing is written until every field is valid: the files are
checked (resolvers.brand_files), then stored, then the row committed; if the commit fails no
file stays behind. A kit's files are its own: replaced files and a deleted kit's files are
removed after the commit. A job never points at them: `snapshot` copies them for the job.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from sqlalchemy import select

from db.models import MAX_KIT_NAME, BrandKit
from db.types import utcnow
from domain.brand import BUNDLED_FONTS, BrandFont, BrandSnapshot, normal_hex, readable_text
from domain.text import TextError, clean_text
from resolvers import uploads
from resolvers.brand_files import (
    MAX_FONT_BYTES,
    MAX_LOGO_BYTES,
    CheckedFile,
    check_font,
    check_logo,
    missing_letters,
)
from resolvers.context import Context
from resolvers.errors import (
    CONFLICT,
    INVALID_COLOR,
    MISSING_GLYPHS,
    NOT_FOUND,
    REQUIRED,
    TOO_LONG,
    FieldError,
)

log = structlog.get_logger(__name__)

MAX_LANGUAGES = 10
COLOURS = (("primary", "primaryColor"), ("accent", "accentColor"), ("text", "textColor"))
FONTS = (("heading", "headingFont", "headingFontFile"), ("body", "bodyFont", "bodyFontFile"))


@dataclass(frozen=True, slots=True)
class BrandKitRequest:
    """createBrandKit's and updateBrandKit's input; on update, None leaves a value as it is."""

    name: str | None = None
    primary: str | None = None
    accent: str | None = None
    text: str | None = None
    logo: uploads.UploadLike | None = None
    heading_font: str | None = None  # a bundled family
    heading_font_file: uploads.UploadLike | None = None
    body_font: str | None = None
    body_font_file: uploads.UploadLike | None = None
    languages: tuple[str, ...] = ("en",)


@dataclass
class _Checked:
    values: dict[str, str | None] = field(default_factory=dict)  # column -> value
    files: dict[str, CheckedFile] = field(default_factory=dict)  # column -> file to store


def _field(name: str) -> tuple[str, ...]:
    return ("input", name)


def _check_values(request: BrandKitRequest, creating: bool, checked: _Checked) -> list[FieldError]:
    errors: list[FieldError] = []
    if request.name is not None:
        try:
            checked.values["name"] = clean_text(request.name, field="name", max_chars=MAX_KIT_NAME)
        except TextError as error:
            errors.append(FieldError(error.code, error.message, _field("name")))
    elif creating:
        errors.append(FieldError(REQUIRED, "name is required", _field("name")))
    for column, name in COLOURS:
        value = getattr(request, column)
        if value is None:
            if creating:
                errors.append(FieldError(REQUIRED, f"{name} is required", _field(name)))
            continue
        colour = normal_hex(value)
        if colour is None:
            message = f"{name} must be a colour as #rrggbb (got {value[:20]!r})"
            errors.append(FieldError(INVALID_COLOR, message, _field(name)))
        checked.values[f"{column}_colour"] = colour
    if not 1 <= len(request.languages) <= MAX_LANGUAGES:
        message = f"languages must name 1 to {MAX_LANGUAGES} languages"
        errors.append(FieldError(TOO_LONG, message, _field("languages")))
    for column, family_name, _ in FONTS:
        family = getattr(request, f"{column}_font")
        if family is not None and family not in BUNDLED_FONTS:
            known = ", ".join(BUNDLED_FONTS)
            message = f"{family_name} {family[:40]!r} is not a bundled family ({known})"
            errors.append(FieldError(NOT_FOUND, message, _field(family_name)))
    return errors


async def _check_files(
    ctx: Context, request: BrandKitRequest, checked: _Checked
) -> list[FieldError]:
    errors: list[FieldError] = []
    if request.logo is not None:
        where = _field("logo")
        data = await uploads.read_upload(request.logo, MAX_LOGO_BYTES, "logo", where)
        logo = data if isinstance(data, FieldError) else await asyncio.to_thread(
            check_logo, data, where
        )  # fmt: skip
        if isinstance(logo, FieldError):
            errors.append(logo)
        else:
            checked.files["logo_path"] = logo
    for column, family_name, file_name in FONTS:
        upload = getattr(request, f"{column}_font_file")
        if upload is None:
            if getattr(request, f"{column}_font") is not None:
                checked.values[f"{column}_family"] = getattr(request, f"{column}_font")
                checked.values[f"{column}_font_path"] = None
            continue
        where = _field(file_name)
        if getattr(request, f"{column}_font") is not None:
            message = f"{family_name} and {file_name} were both given; send one or the other"
            errors.append(FieldError(CONFLICT, message, where))
            continue
        data = await uploads.read_upload(upload, MAX_FONT_BYTES, "font", where)
        font = data if isinstance(data, FieldError) else await asyncio.to_thread(
            check_font, data, list(request.languages), where
        )  # fmt: skip
        if isinstance(font, FieldError):
            errors.append(font)
        else:
            checked.files[f"{column}_font_path"] = font
            checked.values[f"{column}_family"] = font.family
    return errors


async def _save(ctx: Context, kit: BrandKit, checked: _Checked, adding: bool) -> list[str]:
    """Store the new files and commit the row; returns the keys the row no longer uses."""
    stored: list[str] = []
    replaced: list[str] = []
    try:
        for column, file in checked.files.items():
            stored.append(await uploads.store_upload(ctx.media, file.data, file.extension))
            checked.values[column] = stored[-1]
        for column, value in checked.values.items():
            old = getattr(kit, column, None)
            if column.endswith("_path") and old and old != value:
                replaced.append(old)
            setattr(kit, column, value)
        async with ctx.session() as session, session.begin():
            if adding:
                session.add(kit)
            else:
                kit.updated_at = utcnow()
                await session.merge(kit)
    except BaseException:
        for key in stored:
            await asyncio.shield(uploads.remove_stored(ctx.media, key))
        raise
    return replaced


async def _validated(
    ctx: Context, request: BrandKitRequest, creating: bool
) -> tuple[_Checked, list[FieldError]]:
    checked = _Checked()
    errors = _check_values(request, creating, checked)
    errors += await _check_files(ctx, request, checked)
    return checked, errors


async def create_brand_kit(
    ctx: Context, request: BrandKitRequest
) -> tuple[BrandKit | None, list[FieldError]]:
    checked, errors = await _validated(ctx, request, creating=True)
    if errors:
        return None, errors
    kit = BrandKit(id=uuid.uuid4(), owner=ctx.owner)
    await _save(ctx, kit, checked, adding=True)
    log.info("brand_kit.created", kit_id=str(kit.id), files=len(checked.files))
    return kit, []


async def get_brand_kit(ctx: Context, kit_id: str) -> BrandKit | None:
    """The caller's kit, or None (not found, not an id, or another owner's)."""
    try:
        uid = uuid.UUID(kit_id)
    except ValueError:
        return None
    async with ctx.session() as session:
        kit = await session.get(BrandKit, uid)
    return kit if kit is not None and kit.owner == ctx.owner else None


def _not_found(kit_id: str, where: tuple[str, ...] = ("id",)) -> FieldError:
    return FieldError(NOT_FOUND, f"no brand kit {kit_id[:40]!r}", where)


async def update_brand_kit(
    ctx: Context, kit_id: str, request: BrandKitRequest
) -> tuple[BrandKit | None, list[FieldError]]:
    kit = await get_brand_kit(ctx, kit_id)
    if kit is None:
        return None, [_not_found(kit_id)]
    checked, errors = await _validated(ctx, request, creating=False)
    if errors:
        return None, errors
    replaced = await _save(ctx, kit, checked, adding=False)
    for key in replaced:
        await uploads.remove_stored(ctx.media, key)
    log.info("brand_kit.updated", kit_id=str(kit.id), files=len(checked.files))
    return kit, []


async def delete_brand_kit(ctx: Context, kit_id: str) -> tuple[str | None, list[FieldError]]:
    kit = await get_brand_kit(ctx, kit_id)
    if kit is None:
        return None, [_not_found(kit_id)]
    async with ctx.session() as session, session.begin():
        row = await session.get(BrandKit, kit.id)
        if row is not None:
            await session.delete(row)
    for key in kit.paths:
        await uploads.remove_stored(ctx.media, key)
    log.info("brand_kit.deleted", kit_id=str(kit.id))
    return str(kit.id), []


async def list_brand_kits(ctx: Context) -> list[BrandKit]:
    async with ctx.session() as session:
        rows = await session.scalars(
            select(BrandKit)
            .where(BrandKit.owner == ctx.owner)
            .order_by(BrandKit.created_at.desc(), BrandKit.id)
        )
        return list(rows)


async def _uncovered(ctx: Context, key: str, language: str) -> str:
    with tempfile.TemporaryDirectory(prefix="adreel-font-") as folder:
        local = Path(folder) / "font"
        await ctx.media.fetch(key, local)
        return await asyncio.to_thread(missing_letters, local.read_bytes(), [language])


async def check_kit_for_job(ctx: Context, kit_id: str, language: str) -> BrandKit | FieldError:
    """The caller's kit for a job in `language`, or why it cannot be used."""
    where = ("input", "brandKitId")
    kit = await get_brand_kit(ctx, kit_id)
    if kit is None:
        return _not_found(kit_id, where)
    for column in ("heading_font_path", "body_font_path"):
        key = getattr(kit, column)
        missing = await _uncovered(ctx, key, language) if key else ""
        if missing:
            font = "heading" if column.startswith("heading") else "body"
            message = (
                f"the kit's {font} font has no glyph for {len(missing)} letters of "
                f"{language}: {' '.join(missing[:12])}"
            )
            return FieldError(MISSING_GLYPHS, message, where)
    return kit


async def snapshot(ctx: Context, kit: BrandKit, stored: list[str]) -> BrandSnapshot:
    """The kit as the job keeps it, its files copied to keys of the job's own (appended to
    `stored`, so the caller removes them if the job is not committed)."""

    async def copied(key: str | None) -> str | None:
        if key is None:
            return None
        target = f"{key.rsplit('/', 1)[0]}/{uuid.uuid4().hex}.{key.rsplit('.', 1)[-1]}"
        await ctx.media.copy(key, target)
        stored.append(target)
        return target

    def font(family: str | None, key: str | None) -> BrandFont | None:
        return BrandFont(family, key) if family else None

    text_used, text_contrast = readable_text(kit.text_colour, kit.primary_colour)
    return BrandSnapshot(
        kit_id=str(kit.id),
        name=kit.name,
        primary=kit.primary_colour,
        accent=kit.accent_colour,
        text=kit.text_colour,
        text_used=text_used,
        text_contrast=round(text_contrast, 2),
        logo=await copied(kit.logo_path),
        heading=font(kit.heading_family, await copied(kit.heading_font_path)),
        body=font(kit.body_family, await copied(kit.body_font_path)),
    )
