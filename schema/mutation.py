"""The Mutation root. Expected failures come back in `errors`, with the field they concern."""

from __future__ import annotations

from typing import cast

import strawberry

from db.models import BrandKit as BrandKitRow
from domain.enums import AdDuration as AdDurationValue
from domain.enums import AspectRatio as AspectRatioValue
from domain.enums import MusicChoice as MusicChoiceValue
from domain.enums import Style as StyleValue
from domain.enums import VariantAxis as VariantAxisValue
from resolvers import brand_kits, job_actions
from resolvers.create_job import CreateJobRequest, create_job
from resolvers.errors import FieldError
from resolvers.uploads import UploadLike
from resolvers.variants import VariantRequest, create_variants
from schema.brand import BrandKit, BrandKitInput
from schema.brand_payloads import BrandKitPayload, DeleteBrandKitPayload
from schema.inputs import CreateJobInput, CreateVariantsInput
from schema.types import (
    AppInfo,
    CreateJobPayload,
    CreateVariantsPayload,
    Job,
    JobPayload,
    UserError,
)


def _kit_request(input: BrandKitInput) -> brand_kits.BrandKitRequest:
    # Starlette hands multipart files over as UploadFile, whatever the scalar's type.
    return brand_kits.BrandKitRequest(
        name=input.name,
        primary=input.primary_color,
        accent=input.accent_color,
        text=input.text_color,
        logo=cast("UploadLike | None", input.logo),
        heading_font=input.heading_font,
        heading_font_file=cast("UploadLike | None", input.heading_font_file),
        body_font=input.body_font,
        body_font_file=cast("UploadLike | None", input.body_font_file),
        languages=tuple(input.languages),
    )


def _kit_payload(row: BrandKitRow | None, errors: list[FieldError]) -> BrandKitPayload:
    return BrandKitPayload(
        brand_kit=BrandKit.from_row(row) if row else None,
        errors=[UserError.from_error(e) for e in errors],
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
                brand_kit_id=str(input.brand_kit_id) if input.brand_kit_id else None,
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

    @strawberry.mutation(description="A brand kit of yours; its files are checked first.")
    async def create_brand_kit(self, info: AppInfo, input: BrandKitInput) -> BrandKitPayload:
        row, errors = await brand_kits.create_brand_kit(info.context, _kit_request(input))
        return _kit_payload(row, errors)

    @strawberry.mutation(
        description="Change a kit of yours: what the input leaves out stays. Ads already made "
        "keep the kit as it was."
    )
    async def update_brand_kit(
        self, info: AppInfo, id: strawberry.ID, input: BrandKitInput
    ) -> BrandKitPayload:
        row, errors = await brand_kits.update_brand_kit(info.context, str(id), _kit_request(input))
        return _kit_payload(row, errors)

    @strawberry.mutation(description="Delete a kit of yours (ads made with it keep their copy).")
    async def delete_brand_kit(self, info: AppInfo, id: strawberry.ID) -> DeleteBrandKitPayload:
        deleted, errors = await brand_kits.delete_brand_kit(info.context, str(id))
        return DeleteBrandKitPayload(
            id=strawberry.ID(deleted) if deleted else None,
            errors=[UserError.from_error(e) for e in errors],
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
