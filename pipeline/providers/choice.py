"""The stage functions a worker runs, with the hosted providers its configuration picks.

Built once per worker process (`build_providers` in on_startup, `aclose` in on_shutdown): each
hosted provider holds an HTTP connection pool and its concurrency limit, shared by every job the
process runs. Stages without a hosted provider (or with it switched off) run offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from domain.enums import StageName
from domain.outputs import Completed
from domain.providers import ProvidersConfig
from domain.voices import HOSTED, find_voice
from pipeline.providers.fallback import with_fallback
from pipeline.spec import JobSpec, ProgressFn, StageFn, StageResult
from pipeline.stages import offline_stages
from pipeline.voice.offline import OfflineVoice

if TYPE_CHECKING:
    from pipeline.script.claude import ClaudeScriptWriter
    from pipeline.video.hosted import HostedVideo
    from pipeline.voice.hosted import HostedVoice

    HostedProvider = ClaudeScriptWriter | HostedVoice | HostedVideo


@dataclass
class Providers:
    stages: dict[StageName, StageFn]
    hosted: dict[StageName, HostedProvider] = field(default_factory=dict)

    def names(self) -> dict[StageName, str]:
        """The provider each stage tries first (for logs)."""
        return {
            name: (p.name if (p := self.hosted.get(name)) else "offline") for name in self.stages
        }

    async def warm_up(self) -> None:
        """Load the offline narrator now (it runs for every job whose voice is offline), so the
        first job does not wait for it. A failure is left for that job to report."""
        voice = self.stages.get(StageName.VOICE_GEN)
        if isinstance(voice, OfflineVoice):
            await voice.warm_up()

    async def aclose(self) -> None:
        for provider in self.hosted.values():
            await provider.aclose()


def build_providers(config: ProvidersConfig) -> Providers:
    """Hosted providers are imported only when configured: the anthropic SDK alone costs an
    offline worker ~1.7 s of start-up and tens of MB it would never use."""
    offline = offline_stages(config.model_cache_dir)
    providers = Providers(stages=dict(offline))
    secrets = config.secrets
    if StageName.SCRIPT_GEN in config.hosted:
        from pipeline.script.claude import ClaudeScriptWriter

        providers.hosted[StageName.SCRIPT_GEN] = ClaudeScriptWriter(
            config.claude, config.retries, config.prices, secrets
        )
    if StageName.VOICE_GEN in config.hosted:
        from pipeline.voice.hosted import HostedVoice

        providers.hosted[StageName.VOICE_GEN] = HostedVoice(
            config.speech, config.retries, config.prices, secrets
        )
    if StageName.VIDEO_GEN in config.hosted:
        from pipeline.video.hosted import HostedVideo

        providers.hosted[StageName.VIDEO_GEN] = HostedVideo(
            config.replicate, config.retries, config.prices, secrets
        )
    for name, hosted in providers.hosted.items():
        providers.stages[name] = with_fallback(
            hosted, offline[name], enabled=config.fallback_to_offline
        )
    if StageName.VOICE_GEN in providers.hosted:
        providers.stages[StageName.VOICE_GEN] = _by_voice(
            providers.stages[StageName.VOICE_GEN], offline[StageName.VOICE_GEN]
        )
    return providers


def _by_voice(hosted: StageFn, offline: StageFn) -> StageFn:
    """A job that names an offline voice is said offline even where hosted speech is on."""

    async def run(spec: JobSpec, completed: Completed, progress: ProgressFn) -> StageResult:
        chosen = find_voice(spec.voice, hosted_voice=True) if spec.voice else None
        if chosen is not None and chosen.provider != HOSTED:
            return await offline(spec, completed, progress)
        return await hosted(spec, completed, progress)

    return run
