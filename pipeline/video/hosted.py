"""video_gen, hosted: one image-to-video clip per moving scene from Replicate, composited with
the offline stage's text layers.

The offline stage runs first: it draws the headlines, captions and the end card and writes the
render plan (a few hundred milliseconds). Then every moving scene (not the static end card) gets
a prediction from the product photo (or, without one, the product card the offline stage drew)
and the scene's visual prompt, all at once within REPLICATE_CONCURRENCY per worker process. The
plan is rewritten so those scenes show their clip instead of their shots; compositing
scales/crops each clip to the aspect and overlays the text as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from domain.media import VIDEO_DIR
from domain.outputs import Completed
from domain.pricing import Prices
from domain.providers import ReplicateConfig, RetryPolicy
from pipeline.errors import StageError
from pipeline.providers.errors import ProviderError
from pipeline.providers.http import first_error
from pipeline.providers.images import encode_image
from pipeline.providers.usage import Ledger
from pipeline.script.model import completed_script
from pipeline.shared.files import relative_to_work, write_text_atomic
from pipeline.spec import JobSpec, ProgressFn, StageResult
from pipeline.video.drawing import draw_video
from pipeline.video.plan import RenderPlan, ScenePlan
from pipeline.video.replicate import ReplicateClient

PROVIDER = "replicate"
LAYERS_SHARE = 15  # progress points for drawing the layers; the clips take the rest


class HostedVideo:
    """A StageFn for video_gen. One instance (clients, concurrency limit) per worker process."""

    def __init__(
        self,
        config: ReplicateConfig,
        retries: RetryPolicy,
        prices: Prices,
        secrets: Sequence[str],
    ) -> None:
        self.config = config
        self.replicate = ReplicateClient(config, retries, prices, secrets)
        self.slots = asyncio.Semaphore(config.concurrency)

    @property
    def name(self) -> str:
        return f"{PROVIDER} ({self.config.model})"

    async def aclose(self) -> None:
        await self.replicate.aclose()

    async def __call__(
        self, spec: JobSpec, completed: Completed, progress: ProgressFn
    ) -> StageResult:
        async def layers_progress(value: int) -> None:
            await progress(value * LAYERS_SHARE // 100)

        layers = await draw_video(spec, completed, layers_progress)
        plan_path = spec.work_dir / layers.plan
        plan = RenderPlan.model_validate_json(plan_path.read_bytes())
        script = completed_script(completed, "video_gen")
        # Every scene but the end card gets a clip, shown instead of its shots.
        moving = plan.scenes[:-1]
        if not moving or plan.hero is None:
            raise StageError("the render plan has no scene to animate")
        photo = spec.product_image or spec.work_dir / plan.hero
        image = await asyncio.to_thread(encode_image, photo)
        ledger = Ledger(PROVIDER, self.config.model)
        prompts = {scene.index: scene.visual_prompt for scene in script.scenes}
        done = 0

        async def clip_for(scene: ScenePlan) -> ScenePlan:
            nonlocal done
            dest = spec.work_dir / VIDEO_DIR / f"scene_{scene.index}_clip.mp4"
            inputs = {self.config.image_input: image.data_uri, "prompt": prompts[scene.index]}
            async with self.slots:
                await self.replicate.run(inputs, dest, ledger, f"video for scene {scene.index}")
            done += 1
            await progress(LAYERS_SHARE + (99 - LAYERS_SHARE) * done // len(moving))
            return scene.model_copy(update={"clip": relative_to_work(dest, spec.work_dir)})

        try:
            async with asyncio.TaskGroup() as group:
                tasks = {scene.index: group.create_task(clip_for(scene)) for scene in moving}
        except BaseExceptionGroup as failed:
            error = first_error(failed)
            if isinstance(error, ProviderError):
                error.calls = [*ledger.calls, *error.calls]
            raise error from None
        scenes = [tasks[s.index].result() if s.index in tasks else s for s in plan.scenes]
        plan = plan.model_copy(update={"scenes": scenes})
        write_text_atomic(plan_path, plan.model_dump_json(indent=1))
        await progress(100)
        output = layers.model_copy(
            update={"clips": [s.clip for s in scenes if s.clip], "hosted": ledger.usage()}
        )
        return StageResult(output=output, provider=self.name, cost_usd=float(ledger.cost))
