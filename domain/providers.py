"""The providers: the names each stage's provider records, and the plain, typed configuration
of the hosted ones.

The configuration is built from Settings at the edge (`settings.providers_config`), so pipeline/
never reads configuration itself; Settings' provider fields are derived from the models here.
Keys stay `SecretStr` (masked in every repr) until the moment a client puts them in a request
header.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from domain.enums import StageName
from domain.pricing import Prices

# What Stage.provider says for each offline stage (a hosted provider says "<name> (<model>)").
OFFLINE_SCRIPT = "offline-template"
OFFLINE_VOICE = "piper (en_US-joe-medium)"
KOKORO_VOICE = "kokoro (Kokoro-82M int8)"  # the offline neural voices besides Piper's joe
ESPEAK_VOICE = "espeak-ng"  # languages without a neural voice, and the fallback
OFFLINE_VIDEO = "ffmpeg-motion"
COMPOSITING = "ffmpeg"
OFFLINE = {
    StageName.SCRIPT_GEN: OFFLINE_SCRIPT,
    StageName.VOICE_GEN: OFFLINE_VOICE,
    StageName.VIDEO_GEN: OFFLINE_VIDEO,
    StageName.COMPOSITING: COMPOSITING,
}
# Hosted providers, by stage.
CLAUDE = "claude"
OPENAI_TTS = "openai-tts"
REPLICATE = "replicate"


class _Config(BaseModel):
    """A provider's configuration: each field's type, default and bounds are declared here once,
    and settings.py derives one setting per field from it (ANTHROPIC_MODEL is ClaudeConfig.model).
    Frozen, and errors never echo a value (some are keys)."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)


class ClaudeConfig(_Config):
    api_key: SecretStr = SecretStr("")
    model: str = "claude-sonnet-4-5"
    base_url: str = "https://api.anthropic.com"
    max_tokens: int = Field(default=2048, ge=256)
    timeout_seconds: float = Field(default=60.0, gt=0)


class SpeechConfig(_Config):
    """An OpenAI-compatible speech API."""

    api_key: SecretStr = SecretStr("")
    base_url: str = "https://api.openai.com/v1"
    model: str = "tts-1"
    timeout_seconds: float = Field(default=60.0, gt=0)
    concurrency: int = Field(default=4, gt=0)  # requests at once per worker process


class ReplicateConfig(_Config):
    api_token: SecretStr = SecretStr("")
    base_url: str = "https://api.replicate.com"
    model: str = "wavespeedai/wan-2.1-i2v-480p"  # owner/name or owner/name:version
    image_input: str = "image"  # the name of that model's image input
    concurrency: int = Field(default=3, gt=0)  # predictions at once per worker process
    timeout_seconds: float = Field(default=30.0, gt=0)  # per HTTP request
    prediction_timeout_seconds: float = Field(default=600.0, gt=0)  # then it is cancelled
    poll_seconds: float = Field(default=1.0, gt=0)  # the first poll interval
    estimated_predict_seconds: float = Field(default=60.0, ge=0)  # per clip, for estimateCost


class RetryPolicy(_Config):
    """Every hosted request's retries (Claude's through its SDK, which keeps its own backoff)."""

    max_retries: int = Field(default=2, ge=0, le=10)
    retry_base_seconds: float = Field(default=0.5, gt=0)  # the first backoff delay


@dataclass(frozen=True)
class ProvidersConfig:
    hosted: frozenset[StageName]  # the stages that run a hosted provider
    fallback_to_offline: bool
    claude: ClaudeConfig
    speech: SpeechConfig
    replicate: ReplicateConfig
    retries: RetryPolicy
    prices: Prices
    model_cache_dir: Path  # where the offline narrator keeps its prepared model

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every configured key, for redacting text that came from elsewhere."""
        keys = (self.claude.api_key, self.speech.api_key, self.replicate.api_token)
        return tuple(k.get_secret_value() for k in keys if k.get_secret_value())
