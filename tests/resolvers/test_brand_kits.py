"""Brand kits over HTTP: made, listed, changed and deleted by their owner only; their files
checked (nothing stored when one is refused); a job keeps its snapshot whatever the kit becomes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from fontTools import subset
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import BrandKit
from pipeline.shared.fonts import FONTS
from settings import Settings
from tests.conftest import make_settings, serve_app
from tests.factories import gql, job_input
from tests.resolvers.test_create_job import stored_files

ALICE = {"Authorization": "Bearer ka"}
BOB = {"Authorization": "Bearer kb"}
KIT_FIELDS = "id name primaryColor accentColor textColor logoUrl headingFont bodyFont"
CREATE = f"""mutation($input: BrandKitInput!) {{ createBrandKit(input: $input) {{
  brandKit {{ {KIT_FIELDS} }} errors {{ field code message }} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: BrandKitInput!) {{ updateBrandKit(id: $id, input: $input) {{
  brandKit {{ {KIT_FIELDS} }} errors {{ field code message }} }} }}"""
DELETE = "mutation($id: ID!) { deleteBrandKit(id: $id) { id errors { field code } } }"
KITS = f"{{ brandKits {{ {KIT_FIELDS} }} }}"
JOB_BRAND = """query($id: ID!) { job(id: $id) { brand { kitId name primaryColor accentColor
  textColor textColorUsed textColorAdjusted textContrast logoUrl headingFont bodyFont } } }"""
CREATE_JOB = """mutation($input: CreateJobInput!) { createJob(input: $input) {
  job { id } errors { field code message } } }"""
COLOURS = {"primaryColor": "#1E6B3A", "accentColor": "#F2B705", "textColor": "#ffffff"}


def logo_png(side: int = 120, colour: tuple[int, int, int] = (200, 30, 60)) -> bytes:
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    image.paste((*colour, 255), (side // 6, side // 6, 5 * side // 6, 5 * side // 6))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (40, 40), c) for c in ("red", "blue", "green")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=fmt, save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def font_file(name: str = "XCharter/XCharter-Bold.otf", only: str | None = None) -> bytes:
    """A font we ship, as a user would upload it; `only`: cut down to these characters."""
    data = (FONTS / name).read_bytes()
    if only is None:
        return data
    options = subset.Options()
    font = subset.load_font(io.BytesIO(data), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=only)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


async def send(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    files: dict[str, bytes],
    headers: dict[str, str],
) -> dict[str, Any]:
    """One multipart request: each of `files` under variables.input.<name>."""
    for name in files:
        variables["input"][name] = None
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps({name: [f"variables.input.{name}"] for name in files}),
        },
        files=[(name, (name, data, "application/octet-stream")) for name, data in files.items()],
        headers={"Apollo-Require-Preflight": "true", **headers},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def kit_rows(engine: AsyncEngine) -> int:
    async with create_session_factory(engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(BrandKit)) or 0)


@pytest.fixture
def owners(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, redis_url, tmp_path, api_keys="ka:alice,kb:bob")


async def test_a_kit_is_its_owners_and_a_job_keeps_it_as_it_was(
    owners: Settings, engine: AsyncEngine
) -> None:
    async with serve_app(owners) as (client, _app):
        made = await send(
            client,
            CREATE,
            {"input": {"name": "Fern & Co", **COLOURS, "headingFont": "Lato"}},
            {"logo": logo_png(), "bodyFontFile": font_file()},
            ALICE,
        )
        assert made["createBrandKit"]["errors"] == []
        kit = made["createBrandKit"]["brandKit"]
        assert kit["primaryColor"] == "#1e6b3a"  # normalised
        assert (kit["headingFont"], kit["bodyFont"]) == ("Lato", "XCharter")
        original_logo = (await client.get(kit["logoUrl"])).content
        assert original_logo == logo_png()  # stored as sent: its transparency kept

        # To Bob the kit does not exist.
        assert (await gql(client, KITS, headers=BOB))["data"]["brandKits"] == []
        by_id = "query($id: ID!) { brandKit(id: $id) { id } }"
        assert (await gql(client, by_id, {"id": kit["id"]}, BOB))["data"]["brandKit"] is None
        for query, variables in ((UPDATE, {"id": kit["id"], "input": {"name": "Mine"}}),
                                 (DELETE, {"id": kit["id"]})):  # fmt: skip
            body = await gql(client, query, variables, BOB)
            payload = next(iter(body["data"].values()))
            assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["id"], "NOT_FOUND")]
        used = await gql(client, CREATE_JOB, {"input": job_input(brandKitId=kit["id"])}, BOB)
        assert used["data"]["createJob"]["job"] is None
        assert [e["field"] for e in used["data"]["createJob"]["errors"]] == [
            ["input", "brandKitId"]
        ]
        assert [k["id"] for k in (await gql(client, KITS, headers=ALICE))["data"]["brandKits"]] == [
            kit["id"]
        ]

        created = await gql(client, CREATE_JOB, {"input": job_input(brandKitId=kit["id"])}, ALICE)
        assert created["data"]["createJob"]["errors"] == []
        job_id = created["data"]["createJob"]["job"]["id"]
        before = (await gql(client, JOB_BRAND, {"id": job_id}, ALICE))["data"]["job"]["brand"]
        assert before["kitId"] == kit["id"] and before["primaryColor"] == "#1e6b3a"
        assert before["textColorUsed"] == "#ffffff" and before["textContrast"] >= 4.5
        assert (await client.get(before["logoUrl"])).content == original_logo

        # The kit changes (a new logo, colours), then goes: the job's snapshot does not.
        changed = await send(
            client,
            UPDATE,
            {"id": kit["id"], "input": {"primaryColor": "#ffffff", "textColor": "#ffee88"}},
            {"logo": logo_png(colour=(10, 10, 200))},
            ALICE,
        )
        assert changed["updateBrandKit"]["errors"] == []
        assert changed["updateBrandKit"]["brandKit"]["primaryColor"] == "#ffffff"
        second = await gql(client, CREATE_JOB, {"input": job_input(brandKitId=kit["id"])}, ALICE)
        second_id = second["data"]["createJob"]["job"]["id"]
        adjusted = (await gql(client, JOB_BRAND, {"id": second_id}, ALICE))["data"]["job"]["brand"]
        # Pale yellow on white cannot be read: the job says what it used instead.
        assert adjusted["textColor"] == "#ffee88" and adjusted["textColorAdjusted"] is True
        assert adjusted["textContrast"] >= 4.5
        deleted = await gql(client, DELETE, {"id": kit["id"]}, ALICE)
        assert deleted["data"]["deleteBrandKit"] == {"id": kit["id"], "errors": []}
        assert await kit_rows(engine) == 0
        after = (await gql(client, JOB_BRAND, {"id": job_id}, ALICE))["data"]["job"]["brand"]
        assert {k: v for k, v in after.items() if k != "logoUrl"} == {
            k: v for k, v in before.items() if k != "logoUrl"
        }
        assert (await client.get(after["logoUrl"])).content == original_logo
        # What is left in the store is the two jobs' copies: the kit's own files went with it.
        assert len(stored_files(owners)) == 2 * 2  # each job: its logo and its body font


BAD = [
    ("logo", b"this is not an image", "INVALID_IMAGE"),
    ("logo", animated("GIF"), "INVALID_IMAGE"),
    ("logo", animated("WEBP"), "INVALID_IMAGE"),
    ("logo", logo_png(side=2100), "TOO_LARGE"),
    ("logo", b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/'
     b'xlink"><image xlink:href="file:///etc/passwd"/></svg>', "INVALID_IMAGE"),
    ("headingFontFile", logo_png(), "INVALID_FONT"),
    ("bodyFontFile", font_file(only="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
     "MISSING_GLYPHS"),
]  # fmt: skip


@pytest.mark.parametrize(("field", "data", "code"), BAD, ids=[
    "not-an-image", "animated-gif", "animated-webp", "too-large", "svg-reading-a-file",
    "not-a-font", "no-french-letters"])  # fmt: skip
async def test_a_bad_file_is_refused_by_its_field_and_nothing_is_kept(
    owners: Settings, engine: AsyncEngine, field: str, data: bytes, code: str
) -> None:
    async with serve_app(owners) as (client, _app):
        good = {"logo": logo_png()} if field != "logo" else {}
        body = await send(
            client,
            CREATE,
            {"input": {"name": "Fern", **COLOURS, "languages": ["en", "fr"]}},
            {**good, field: data},
            ALICE,
        )
    payload = body["createBrandKit"]
    assert payload["brandKit"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["input", field], code)]
    assert await kit_rows(engine) == 0
    assert stored_files(owners) == []


async def test_an_svg_logo_is_drawn_here_with_its_transparency(
    owners: Settings, engine: AsyncEngine
) -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
        b'<circle cx="50" cy="50" r="40" fill="#d0103a"/></svg>'
    )
    async with serve_app(owners) as (client, _app):
        body = await send(client, CREATE, {"input": {"name": "Dot", **COLOURS}}, {"logo": svg},
                          ALICE)  # fmt: skip
        kit = body["createBrandKit"]["brandKit"]
        png = Image.open(io.BytesIO((await client.get(kit["logoUrl"])).content))
    assert png.format == "PNG" and png.size == (1024, 512)
    pixels = np.asarray(png)
    assert pixels[10, 10, 3] == 0  # transparent around the circle
    assert tuple(pixels[256, 256, :3]) == (0xD0, 0x10, 0x3A)
