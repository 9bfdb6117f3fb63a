"""The preflight of one finished ad: the file measured against each of its placements' limits,
its text boxes against their safe zones, and every number it shows or says traced to the brief.

Run by compositing on the file it has just made: a stream copy, an audio decode and libass
drawing each distinct text once, side by side (0.4 CPU-seconds for a 30 s 1080p ad). The
verdict is stored with compositing's output and never stops the job. A check that fails says
what is wrong and how to fix it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from domain.placements import PLACEMENTS, Placement, placements_for
from domain.preflight import Preflight, PreflightCheck
from domain.script import AdScript
from pipeline.preflight.checks import placement_checks
from pipeline.preflight.claims import Claim, Source, distinct, numbers_in, plain_text, traced_by
from pipeline.preflight.measure import measure_file
from pipeline.preflight.textboxes import text_boxes
from pipeline.spec import JobSpec
from pipeline.video.plan import RenderPlan

TRACE_LIMIT = "each traced to the brief or the product page"
_ASS_PLACES = {"Caption": "captions", "Name": "end card name", "CTA": "end card call-to-action"}


def brief_sources(spec: JobSpec) -> list[Source]:
    """What the maker (or their product page) said: where a number may come from."""
    page = dict(spec.facts)

    def said(field: str, what: str) -> str:
        return f"the product page's {what} ({page[field]})" if field in page else f"the {what}"

    sources = [Source(spec.price, said("price", "price"))] if spec.price else []
    sources.append(Source(spec.product_name, said("name", "product name")))
    if spec.description:
        sources.append(Source(spec.description, said("description", "description")))
    sources += [Source(b, "a key benefit") for b in spec.benefits]
    sources.append(Source(spec.cta_text, "the call-to-action"))
    return sources


def _ass_claims(ass: str) -> list[Claim]:
    claims: list[Claim] = []
    for line in ass.splitlines():
        if not line.startswith("Dialogue:"):
            continue
        fields = line.split(",", 9)
        if len(fields) < 10:
            continue
        place = _ASS_PLACES.get(fields[3], fields[3])
        start = fields[1].strip()
        where = f"{place} at {start}" if place == "captions" else place
        claims += numbers_in(plain_text(fields[9]), where)
    return claims


def on_screen(spec: JobSpec, plan: RenderPlan, script: AdScript) -> list[Claim]:
    """Headlines (the script's on-screen text of the scenes that show one), every caption and
    end-card word as libass draws it, and the end card's price tag."""
    claims: list[Claim] = []
    shown = {scene.index for scene in plan.scenes if scene.headline}
    for scene in script.scenes:
        if scene.index in shown:
            claims += numbers_in(scene.on_screen_text, f"scene {scene.index} headline")
    if plan.captions is not None:
        path = spec.work_dir / plan.captions
        if path.is_file():
            claims += _ass_claims(path.read_text(encoding="utf-8"))
    if plan.end_card is not None and plan.end_card.price:
        claims += numbers_in(plan.end_card.price, "end card price")
    return distinct(claims)


def said(script: AdScript) -> list[Claim]:
    claims: list[Claim] = []
    for scene in script.scenes:
        claims += numbers_in(scene.voiceover_text, f"scene {scene.index} voiceover")
    return distinct(claims)


def trace(name: str, claims: list[Claim], sources: list[Source]) -> PreflightCheck:
    found = [(claim, traced_by(claim, sources)) for claim in claims]
    untraced = [claim for claim, source in found if source is None]
    measured = ", ".join(f'"{c.text}" ({c.where})' for c in claims) or "no numbers"
    if untraced:
        message = "; ".join(
            f'the {c.kind} "{c.text}" ({c.where}) is in neither the brief nor the product page'
            for c in untraced
        ) + (
            ": take it out of the copy, or give it in the brief (productDescription, keyBenefits"
            " or the product page's price) if it is true"
        )
    elif claims:
        message = "; ".join(f'"{c.text}" is from {s.where}' for c, s in found if s is not None)
    else:
        message = "nothing to trace"
    return PreflightCheck(
        name=name,
        placement=None,
        passed=not untraced,
        measured=measured,
        limit=TRACE_LIMIT,
        message=message,
    )


async def run_preflight(
    spec: JobSpec,
    plan: RenderPlan,
    script: AdScript,
    path: Path,
    placements: tuple[Placement, ...] | None = None,
) -> Preflight:
    """The preflight of the ad at `path` (made from `plan` and `script` for `spec`), for
    `placements` (default: the aspect ratio's, domain.placements.placements_for)."""
    chosen = placements or placements_for(spec.aspect_ratio)
    try:
        async with asyncio.TaskGroup() as group:  # the file and the text, side by side
            measured = group.create_task(measure_file(path))
            drawn = group.create_task(text_boxes(plan, spec.work_dir, spec.style))
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    facts, boxes = measured.result(), drawn.result()
    checks: list[PreflightCheck] = []
    for placement in chosen:
        checks += placement_checks(
            placement, PLACEMENTS[placement], facts, boxes, (plan.width, plan.height)
        )
    sources = brief_sources(spec)
    shown = await asyncio.to_thread(on_screen, spec, plan, script)
    checks.append(trace("numbers_on_screen", shown, sources))
    checks.append(trace("numbers_said", said(script), sources))
    return Preflight(placements=list(chosen), checks=checks)
