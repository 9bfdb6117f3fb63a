"""The providers: the names each stage's provider records, and the plain, typed configuration
of the hosted ones.

The configuration is built from Settings at the edge (`settings.providers_config`), so pipeline/
never reads configuration itself. Keys stay `SecretStr` until the moment a client puts them in a
request header.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from domain.enums import StageName
from domain.pricing import Prices

# What Stage.provider says for each offline stage (a hosted provider says "<name> (<model>)").
OFFLINE_SCRIPT = "offline-template"
OFFLINE_VOICE = "piper (en_US-joe-medium)"
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
    model_cache_dir: Path  # where the offline narrator keeps its prepared model

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every configured key, for redacting text that came from elsewhere."""
        keys = (self.claude.api_key, self.speech.api_key, self.replicate.api_token)
        return tuple(k.get_secret_value() for k in keys if k.get_secret_value())
