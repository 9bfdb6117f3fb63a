"""How the CLI shows jobs and styles: rich tables for people, `--json` for scripts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

STATUS_STYLE = {
    "PENDING": "yellow",
    "PROCESSING": "cyan",
    "COMPLETED": "green",
    "FAILED": "red",
    "CANCELLED": "dim",
    "SKIPPED": "dim",
}


def _status(value: str) -> str:
    return f"[{STATUS_STYLE.get(value, 'white')}]{value.lower()}[/]"


def _when(value: str | None) -> str:
    if not value:
        return "-"
    return datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def absolute(base_url: str, url: str | None) -> str | None:
    if not url:
        return None
    return url if url.startswith(("http://", "https://")) else f"{base_url}{url}"


def jobs_table(jobs: list[dict[str, Any]]) -> Table:
    table = Table(title=f"{len(jobs)} job{'s' if len(jobs) != 1 else ''}, newest first")
    table.add_column("id", no_wrap=True, min_width=36)  # whole, so it can be copied
    for column in ("product", "style", "status", "progress", "created"):
        table.add_column(column, justify="right" if column == "progress" else "left")
    for job in jobs:
        table.add_row(
            job["id"],
            job["productName"],
            job["style"].lower(),
            _status(job["status"]),
            f"{job['progress']}%",
            _when(job["createdAt"]),
        )
    return table


def show_job(console: Console, job: dict[str, Any], base_url: str) -> None:
    console.print(f"[bold]{job['productName']}[/]  ({job['id']})")
    console.print(
        f"status   {_status(job['status'])}  {job['progress']}%   "
        f"style {job['style'].lower()}, {job['aspectRatio'].lower()}, cta {job['ctaText']!r}"
    )
    console.print(f"created  {_when(job['createdAt'])}   updated {_when(job['updatedAt'])}")
    if job.get("productDescription"):
        console.print(f"about    {job['productDescription']}", soft_wrap=True)
    for benefit in job.get("keyBenefits") or []:
        console.print(f"benefit  {benefit}", soft_wrap=True)
    if job.get("productPrice"):
        console.print(f"price    {job['productPrice']}", markup=False)
    if job.get("productUrl"):
        console.print(f"page     {job['productUrl']}", soft_wrap=True, markup=False)
    photos = len(job.get("productImageUrls") or [])
    if photos:
        console.print(f"photos   {photos}")
    if job.get("music") == "NONE":
        console.print("music    none")
    else:
        console.print(f"music    {job.get('musicTrack') or 'matched to the style'}")
    if job.get("errorMessage"):
        console.print(f"[red]error    {job['errorMessage']}[/]")
    video = absolute(base_url, job.get("videoUrl"))
    if video:
        console.print(f"video    {video}", soft_wrap=True)
    show_preflight(console, job.get("preflight"))
    table = Table()
    for column in ("stage", "status", "progress", "provider", "started", "completed"):
        table.add_column(column)
    for stage in job["stages"]:
        table.add_row(
            stage["name"].lower(),
            _status(stage["status"]),
            f"{stage['progress']}%",
            stage.get("provider") or "-",
            _when(stage.get("startedAt")),
            _when(stage.get("completedAt")),
        )
    console.print(table)


def show_preflight(console: Console, preflight: dict[str, Any] | None) -> None:
    """The ad's preflight: passed, or each failed check with what to do about it."""
    if preflight is None:
        return
    placements = ", ".join(p.lower() for p in preflight["placements"])
    if preflight["passed"]:
        console.print(f"[green]preflight passed[/] for {placements}")
        return
    failed = preflight["checks"]
    console.print(f"[yellow]preflight {len(failed)} failed[/] for {placements}")
    for check in failed:
        where = f"{check['placement'].lower()} " if check.get("placement") else ""
        console.print(f"  {where}{check['name']}: {check['message']}", soft_wrap=True, markup=False)


def styles_table(styles: list[dict[str, Any]]) -> Table:
    table = Table(title="styles (use the first column with --style)")
    for column in ("style", "name", "description"):
        table.add_column(column)
    for style in styles:
        table.add_row(style["style"].lower(), style["name"], style["description"])
    return table
