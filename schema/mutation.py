"""The Mutation root. Expected failures come back in `errors`, with the field they concern."""

from __future__ import annotations

from typing import cast

import strawberry

from domain.enums import AdDuration as AdDurationValue
from domain.enums import AspectRatio as AspectRatioValue
from domain.enums import MusicChoice as MusicChoiceValue
from domain.enums import Style as StyleValue
from domain.enums import VariantAxis as VariantAxisValue
from resolvers import job_actions
from resolvers.create_job import CreateJobRequest, create_job
from resolvers.uploads import UploadLike
from resolvers.variants import VariantRequest, create_variants
from schema.inputs import CreateJobInput, CreateVariantsInput
from schema.types import (
    AppInfo,
    CreateJobPayload,
    CreateVariantsPayload,
    Job,
    JobPayload,
    UserError,
)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a job; it is queued at once.")
    async def create_job(self, info: AppInfo, input: CreateJobInput) -> CreateJobPayload:
        row, errors = await create_job(
            info.context,
            CreateJobRequest(
                product_name=input.product_name,
                style=StyleValue(input.style),
                cta_text=input.cta_text,
                aspect_ratio=AspectRatioValue(input.aspect_ratio or AspectRatioValue.PORTRAIT),
                # Starlette hands multipart files over as UploadFile, whatever the scalar's type.
                product_image=cast("UploadLike | None", input.product_image),
                product_images=cast("list[UploadLike] | None", input.product_images),
                product_url=input.product_url,
                product_description=input.product_description,
                key_benefits=input.key_benefits,
                duration=AdDurationValue(input.duration or AdDurationValue.AUTO),
                music=MusicChoiceValue(input.music or MusicChoiceValue.AUTO),
                music_track=cast("UploadLike | None", input.music_track),
                webhook_url=input.webhook_url,
                language=input.language,
                voice=input.voice,
            ),
        )
        return CreateJobPayload(
            job=Job.from_row(row) if row else None, errors=[UserError.from_error(e) for e in errors]
        )

    @strawberry.mutation(
        description="New jobs that differ from a COMPLETED one on the chosen axes only; each "
        "reuses the source's finished work that its axes do not change."
    )
    async def create_variants(
        self, info: AppInfo, input: CreateVariantsInput
    ) -> CreateVariantsPayload:
        rows, errors = await create_variants(
            info.context,
            VariantRequest(
                job_id=str(input.job_id),
                count=input.count,
                vary=[VariantAxisValue(a) for a in input.vary],
            ),
        )
        return CreateVariantsPayload(
            jobs=[Job.from_row(r) for r in rows], errors=[UserError.from_error(e) for e in errors]
        )

    @strawberry.mutation(description="Cancel a PENDING or PROCESSING job.")
    async def cancel_job(self, info: AppInfo, id: strawberry.ID) -> JobPayload:
        row, errors = await job_actions.cancel_job(info.context, str(id))
        return JobPayload(
            job=Job.from_row(row) if row else None, errors=[UserError.from_error(e) for e in errors]
        )

    @strawberry.mutation(
        description="Run a FAILED or CANCELLED job again from its first unfinished stage."
    )
    async def retry_job(self, info: AppInfo, id: strawberry.ID) -> JobPayload:
        row, errors = await job_actions.retry_job(info.context, str(id))
        return JobPayload(
            job=Job.from_row(row) if row else None, errors=[UserError.from_error(e) for e in errors]
        )
