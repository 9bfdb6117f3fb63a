"""Plain, typed configuration for the hosted providers, taken from `Settings` in one place.

`auto` resolves here: a stage is hosted when its choice is `hosted`, or `auto` with the
provider's key set; otherwise it runs offline. Keys stay `SecretStr` until the moment a client
puts them in a request header.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from pipeline.providers.usage import Prices
from pipeline.templates import StageName
from settings import ProviderChoice, Settings


def _hosted(choice: ProviderChoice, key: SecretStr) -> bool:
    return choice == "hosted" or (choice == "auto" and bool(key.get_secret_value()))


@dataclass(frozen=True)
class ClaudeConfig:
    api_key: SecretStr
    model: str
    base_url: str
    max_tokens: int
    timeout_seconds: float
    max_retries: int


@dataclass(frozen=True)
class SpeechConfig:
    api_key: SecretStr
    base_url: str
    model: str
    timeout_seconds: float
    concurrency: int
    max_retries: int
    retry_base_seconds: float


@dataclass(frozen=True)
class ReplicateConfig:
    api_token: SecretStr
    base_url: str
    model: str
    image_input: str
    concurrency: int
    timeout_seconds: float
    prediction_timeout_seconds: float
    poll_seconds: float
    estimated_predict_seconds: float
    max_retries: int
    retry_base_seconds: float


@dataclass(frozen=True)
class ProvidersConfig:
    hosted: frozenset[StageName]  # the stages that run a hosted provider
    fallback_to_offline: bool
    claude: ClaudeConfig
    speech: SpeechConfig
    replicate: ReplicateConfig
    prices: Prices

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every configured key, for redacting text that came from elsewhere."""
        keys = (self.claude.api_key, self.speech.api_key, self.replicate.api_token)
        return tuple(k.get_secret_value() for k in keys if k.get_secret_value())


def providers_config(settings: Settings) -> ProvidersConfig:
    hosted = {
        StageName.SCRIPT_GEN: _hosted(settings.script_provider, settings.anthropic_api_key),
        StageName.VOICE_GEN: _hosted(settings.voice_provider, settings.openai_api_key),
        StageName.VIDEO_GEN: _hosted(settings.video_provider, settings.replicate_api_token),
    }
    retries = settings.provider_max_retries
    return ProvidersConfig(
        hosted=frozenset(name for name, on in hosted.items() if on),
        fallback_to_offline=settings.fallback_to_offline,
        claude=ClaudeConfig(
            api_key=settings.anthropic_api_key,
            model=settings.anthropic_model,
            base_url=settings.anthropic_base_url,
            max_tokens=settings.anthropic_max_tokens,
            timeout_seconds=settings.anthropic_timeout_seconds,
            max_retries=retries,
        ),
        speech=SpeechConfig(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            model=settings.tts_model,
            timeout_seconds=settings.tts_timeout_seconds,
            concurrency=settings.tts_concurrency,
            max_retries=retries,
            retry_base_seconds=settings.provider_retry_base_seconds,
        ),
        replicate=ReplicateConfig(
            api_token=settings.replicate_api_token,
            base_url=settings.replicate_base_url,
            model=settings.replicate_video_model,
            image_input=settings.replicate_image_input,
            concurrency=settings.replicate_concurrency,
            timeout_seconds=settings.replicate_timeout_seconds,
            prediction_timeout_seconds=settings.replicate_prediction_timeout_seconds,
            poll_seconds=settings.replicate_poll_seconds,
            estimated_predict_seconds=settings.replicate_estimated_predict_seconds,
            max_retries=retries,
            retry_base_seconds=settings.provider_retry_base_seconds,
        ),
        prices=Prices(
            claude_input_per_mtok=settings.price_claude_input_per_mtok,
            claude_output_per_mtok=settings.price_claude_output_per_mtok,
            tts_per_mchar=settings.price_tts_per_mchar,
            video_per_second=settings.price_video_per_second,
        ),
    )
