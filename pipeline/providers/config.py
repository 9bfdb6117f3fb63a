"""Plain, typed configuration for the hosted providers.

Built from Settings at the edge (`settings.providers_config`), so pipeline/ never reads
configuration itself. Keys stay `SecretStr` until the moment a client puts them in a request
header.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from pipeline.providers.usage import Prices
from pipeline.templates import StageName


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
