"""Following a job live: one progress bar per stage, fed by the jobProgress subscription."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from cli.client import Client

STAGES = ("SCRIPT_GEN", "VOICE_GEN", "VIDEO_GEN", "COMPOSITING")
LABELS = {"SCRIPT_GEN": "script", "VOICE_GEN": "voice", "VIDEO_GEN": "video",
          "COMPOSITING": "compositing"}  # fmt: skip
TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")

JOB_PROGRESS = """
subscription Follow($id: ID!) {
  jobProgress(jobId: $id) {
    sequence status progress stage stageStatus stageProgress message videoUrl errorMessage
  }
}"""
STAGES_QUERY = "query Stages($id: ID!) { job(id: $id) { stages { name status progress } } }"


class StageBars:
    """The bars, kept in step with each event (events are self-contained snapshots)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {
            name: progress.add_task(LABELS[name], total=100, status="pending") for name in STAGES
        }
        self.overall = progress.add_task("[bold]overall", total=100, status="")

    def set_stage(self, name: str, status: str, value: int) -> None:
        done = status in ("COMPLETED", "SKIPPED")
        self.progress.update(
            self.tasks[name], completed=100 if done else value, status=status.lower()
        )

    def apply(self, event: dict[str, Any]) -> None:
        stage = event.get("stage")
        if stage and event.get("stageStatus"):
            if event["stageStatus"] in ("PROCESSING", "COMPLETED"):
                for earlier in STAGES[: STAGES.index(stage)]:  # stages run in order
                    self.set_stage(earlier, "COMPLETED", 100)
            self.set_stage(stage, event["stageStatus"], event.get("stageProgress") or 0)
        if event["status"] == "COMPLETED":
            for name in STAGES:
                self.set_stage(name, "COMPLETED", 100)
        self.progress.update(
            self.overall, completed=event["progress"], status=event["status"].lower()
        )


async def follow(client: Client, job_id: str, console: Console | None = None) -> dict[str, Any]:
    """Show the job's progress until it ends; returns the last event."""
    console = console or Console()
    initial = await client.execute(STAGES_QUERY, {"id": job_id})
    progress = Progress(
        TextColumn("{task.description:>12}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
    )
    bars = StageBars(progress)
    if initial.get("job"):
        for stage in initial["job"]["stages"]:
            bars.set_stage(stage["name"], stage["status"], stage["progress"])
    last: dict[str, Any] = {}
    with progress:
        async for data in client.subscribe(JOB_PROGRESS, {"id": job_id}):
            last = data["jobProgress"]
            bars.apply(last)
    return last
