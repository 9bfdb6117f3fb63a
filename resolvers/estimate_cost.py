"""estimateCost: what a job with this input would cost, before it is created.

Uses the worker's provider choice and price table (from the same Settings), so the estimate
names the providers a job would run with. Nothing is stored and the image is not read: only
whether there is one matters (it adds Claude's vision step).

The one place the API reaches into pipeline/: the estimate prices the worker's own Claude
prompts. `pipeline.providers.estimate` and the prompts it sizes import nothing of the renderer,
which tests/test_architecture.py holds to.
"""

from __future__ import annotations

from domain.enums import Style
from pipeline.providers.estimate import CostEstimate, estimate_cost
from resolvers.context import Context
from settings import providers_config

__all__ = ["CostEstimate", "estimate_job_cost"]


def estimate_job_cost(
    ctx: Context, *, product_name: str, style: Style, cta_text: str, has_image: bool
) -> CostEstimate:
    return estimate_cost(
        providers_config(ctx.settings),
        product_name=" ".join(product_name.split()),
        style=style,
        cta_text=" ".join(cta_text.split()),
        has_image=has_image,
        total_seconds=ctx.settings.ad_seconds,
    )
