"""schema.graphql is the exported schema that frontends generate code from: it must not drift."""

from __future__ import annotations

from pathlib import Path

from schema.export import sdl

ROOT = Path(__file__).resolve().parents[2]


def test_schema_graphql_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == sdl(), "schema.graphql is stale: run `make schema` and commit it"


def test_contract_names_are_present() -> None:
    text = sdl()
    for name in (
        "enum AdStyle",
        "enum AspectRatio",
        "enum JobStatus",
        "enum StageName",
        "enum StageStatus",
        "type Job ",
        "type Stage ",
        "type AdScript",
        "type StyleTemplate",
        "type JobConnection",
        "type UserError",
        "type CreateJobPayload",
        "type JobPayload",
        "input CreateJobInput",
        "job(id: ID!): Job",
        "createJob(input: CreateJobInput!): CreateJobPayload!",
        "cancelJob(id: ID!): JobPayload!",
        "retryJob(id: ID!): JobPayload!",
        "scalar Upload",
    ):
        assert name in text, name
