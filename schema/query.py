"""The Query root."""

from __future__ import annotations

import strawberry

from domain.enums import JobStatus as JobStatusValue
from domain.enums import Style as StyleValue
from domain.templates import TEMPLATES
from resolvers import brand_kits, jobs
from resolvers.estimate_cost import estimate_job_cost
from schema.brand import BrandKit
from schema.enums import AdStyle, JobStatus
from schema.inputs import CreateJobInput
from schema.types import (
    AppInfo,
    CostEstimate,
    Job,
    JobConnection,
    JobEdge,
    PageInfo,
    StyleTemplate,
    Voice,
)


@strawberry.type
class Query:
    @strawberry.field(description="Null when it does not exist or is not the caller's.")
    async def job(self, info: AppInfo, id: strawberry.ID) -> Job | None:
        row = await jobs.get_job(info.context, str(id))
        return Job.from_row(row) if row else None

    @strawberry.field(description="The caller's jobs, newest first.")
    async def jobs(
        self,
        info: AppInfo,
        first: int = 20,
        after: str | None = None,
        status: JobStatus | None = None,
        style: AdStyle | None = None,
    ) -> JobConnection:
        page = await jobs.list_jobs(
            info.context,
            first=first,
            after=after,
            status=JobStatusValue(status) if status else None,
            style=StyleValue(style) if style else None,
        )
        edges = [
            JobEdge(cursor=jobs.encode_cursor(row), node=Job.from_row(row)) for row in page.jobs
        ]
        return JobConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    @strawberry.field(description="Your brand kits, newest first.")
    async def brand_kits(self, info: AppInfo) -> list[BrandKit]:
        return [BrandKit.from_row(row) for row in await brand_kits.list_brand_kits(info.context)]

    @strawberry.field(description="Null when it does not exist or is not the caller's.")
    async def brand_kit(self, info: AppInfo, id: strawberry.ID) -> BrandKit | None:
        row = await brand_kits.get_brand_kit(info.context, str(id))
        return BrandKit.from_row(row) if row else None

    @strawberry.field(
        description="The voices this deployment can speak with, for one language (BCP 47) or all."
    )
    def voices(self, info: AppInfo, language: str | None = None) -> list[Voice]:
        return [
            Voice(
                id=strawberry.ID(v.id),
                name=v.name,
                language=v.language,
                gender=v.gender,
                provider=v.provider,
                engine=v.engine,
                is_default=jobs.is_default_voice(info.context, v),
                note=v.note or None,
            )
            for v in jobs.list_voices(info.context, language)
        ]

    @strawberry.field(description="The four styles, each with its four scenes (30 s in all).")
    def styles(self) -> list[StyleTemplate]:
        return [StyleTemplate.from_template(t) for t in TEMPLATES.values()]

    @strawberry.field(
        description="The expected cost of a job with this input, before creating it "
        "(per stage, with the provider that would run it; 0 for offline stages)."
    )
    def estimate_cost(self, info: AppInfo, input: CreateJobInput) -> CostEstimate:
        estimate = estimate_job_cost(
            info.context,
            # A name still to be read from productUrl: the estimate prices prompts by length.
            product_name=input.product_name or "",
            style=StyleValue(input.style),
            cta_text=input.cta_text,
            has_image=input.product_image is not None
            or bool(input.product_images)
            or input.product_url is not None,
        )
        return CostEstimate.from_estimate(estimate)
