"""The one place configuration is read: environment variables and `.env`.

`Settings` is built once at the edge (server start-up, worker start-up, the CLI) and passed in;
nothing else reads `os.environ`. Every field is documented in `.env.example`. The hosted
providers' fields are not written here: each `Section` below turns a domain config model into
flat settings (`ANTHROPIC_MODEL` from `ClaudeConfig.model`) and reads the model back from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, Field, SecretStr, create_model, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.enums import FULL_RESOLUTION, RESOLUTIONS, StageName
from domain.pricing import Prices
from domain.providers import (
    ClaudeConfig,
    ProvidersConfig,
    ReplicateConfig,
    RetryPolicy,
    SpeechConfig,
)

LOCAL_OWNER = "local"
# Per stage: `hosted` needs the provider's key; `auto` is hosted when the key is set.
ProviderChoice = Literal["auto", "offline", "hosted"]


Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Section(Generic[Model]):
    """A domain model whose every field is a setting named `<prefix>_<field>`, except the few
    whose long-standing names are in `renamed`. The model declares each field's type, default and
    bounds once; Settings gets the flat fields (so every environment variable keeps its name) and
    `read` builds the model back from them."""

    model: type[Model]
    prefix: str
    renamed: Mapping[str, str] = field(default_factory=dict)

    def setting(self, name: str) -> str:
        if name not in self.model.model_fields:
            raise KeyError(f"{self.model.__name__} has no field {name}")
        return self.renamed.get(name, f"{self.prefix}_{name}")

    @property
    def settings(self) -> dict[str, str]:
        """Setting name -> the model's field."""
        return {self.setting(name): name for name in self.model.model_fields}

    def fields(self) -> dict[str, Any]:
        """The settings, for `create_model`: each with its model field's type and FieldInfo."""
        fields = self.model.model_fields
        return {
            setting: (fields[name].annotation, copy(fields[name]))
            for setting, name in self.settings.items()
        }

    def read(self, settings: BaseSettings) -> Model:
        return self.model.model_validate(
            {name: getattr(settings, setting) for setting, name in self.settings.items()}
        )


# Hosted providers (README "Providers"). Keys are secrets: never logged, stored or returned.
CLAUDE = Section(ClaudeConfig, "anthropic")
SPEECH = Section(SpeechConfig, "tts", {"api_key": "openai_api_key", "base_url": "openai_base_url"})
REPLICATE = Section(ReplicateConfig, "replicate", {"model": "replicate_video_model"})
RETRIES = Section(RetryPolicy, "provider")
PRICES = Section(Prices, "price")
SECTIONS: tuple[Section[Any], ...] = (CLAUDE, SPEECH, REPLICATE, RETRIES, PRICES)
# Per hosted stage: the setting that chooses its provider, and the setting holding that
# provider's key.
STAGE_KEYS = {
    StageName.SCRIPT_GEN: ("script_provider", CLAUDE.setting("api_key")),
    StageName.VOICE_GEN: ("voice_provider", SPEECH.setting("api_key")),
    StageName.VIDEO_GEN: ("video_provider", REPLICATE.setting("api_token")),
}

if TYPE_CHECKING:
    # mypy sees no provider fields on Settings: code reads them from `providers_config`.
    _ProviderSettings = BaseSettings
else:
    _ProviderSettings = create_model(
        "_ProviderSettings",
        __base__=BaseSettings,
        **{name: spec for section in SECTIONS for name, spec in section.fields().items()},
    )


class Settings(_ProviderSettings):
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    database_url: str = "sqlite+aiosqlite:///./var/adreel.db"
    # Unset: `make serve`, `make demo` and the tests start an embedded redis-server from a wheel.
    redis_url: str | None = None
    # local: media lives in MEDIA_DIR (one machine, or a shared volume). s3: in an S3-compatible
    # bucket; MEDIA_DIR is then each machine's scratch space. Credentials come from the usual AWS
    # environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, or an instance role).
    media_storage: Literal["local", "s3"] = "local"
    media_dir: Path = Path("./var/media")
    s3_endpoint_url: str = ""  # empty: AWS itself
    # Where browsers reach the store, when not at S3_ENDPOINT_URL (a store inside a private
    # network or compose): presigned URLs are signed for this host. Empty: S3_ENDPOINT_URL.
    s3_public_endpoint_url: str = ""
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    # Media URLs are signed and expire (S3 presigned, or HMAC for local storage).
    media_url_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    # Signs local media URLs. Empty: a random key kept in the database, shared by all processes.
    media_signing_key: SecretStr = SecretStr("")
    # Webhooks: `owner:secret,owner:secret` (in local mode the owner is `local`).
    webhook_secrets: SecretStr = SecretStr("")
    # Off: webhook URLs that resolve to loopback, private, link-local or metadata addresses are
    # refused. On only where the receivers are yours (tests, a private network).
    webhook_allow_private_networks: bool = False
    # Off: product pages (createJob's productUrl) and their photos on loopback, private,
    # link-local or metadata addresses are refused. On only where the shop is yours (tests).
    product_page_allow_private_networks: bool = False
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_retry_hours: float = Field(default=24.0, gt=0)
    webhook_retry_base_seconds: float = Field(default=10.0, gt=0)
    webhook_concurrency: int = Field(default=20, gt=0)
    # Prepared models (the narrator's voice, patched once to report word timings): ~65 MB.
    model_cache_dir: Path = Path("./var/cache")
    # Browser origins allowed by CORS (comma separated).
    cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:3000"]
    # `key:owner,key:owner`. Empty: local mode, every job belongs to one local owner.
    api_keys: SecretStr = SecretStr("")
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_image_pixels: int = Field(default=40_000_000, gt=0)
    # A music track of one's own (musicTrack).
    max_music_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    max_music_seconds: float = Field(default=600.0, gt=0)
    debug: bool = False
    # Unset: on in local mode (no API_KEYS), off with keys. true/false forces it.
    graphiql: bool | None = None
    # auto: lines for a person in local mode or with DEBUG, JSON lines otherwise.
    log_format: Literal["auto", "console", "json"] = "auto"
    introspection: bool = True
    # Prefix for media URLs in responses (e.g. https://ads.example.com); empty: relative /media/...
    public_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    # API processes `make serve` and `make demo` run on that one port (uvicorn --workers). In
    # production the uvicorn command line says it (`--workers N`); the API never reads this.
    api_processes: int = Field(default=1, gt=0)
    log_level: str = "INFO"
    # GraphQL query limits.
    max_query_depth: int = 12
    max_aliases: int = 30
    max_query_tokens: int = 2000
    max_subscriptions_per_connection: int = Field(default=20, gt=0)
    # Worker.
    worker_max_jobs: int = Field(default=2, gt=0)
    job_timeout_seconds: int = Field(default=900, gt=0)
    job_max_tries: int = Field(default=5, gt=0)
    # A stage that reports no progress for this long is stuck (a deadlock, a hung call): its
    # attempt ends with "<stage> made no progress for N s" and the job is retried. Every stage
    # reports at least every few seconds while it works (hosted calls while they wait, too).
    stage_stall_seconds: float = Field(default=90.0, gt=0)
    # How often the worker looks for queued work; arq's 0.5 s default adds ~250 ms to every job.
    worker_poll_delay: float = Field(default=0.05, gt=0)
    # Scheduling priority of a worker process and its ffmpeg/Piper children (0-19): where API
    # and workers share a machine (make serve), the render yields the CPU to live progress.
    worker_nice: int = Field(default=10, ge=0, le=19)
    # A running job holds a lease it renews; a PROCESSING job whose lease lapsed lost its worker
    # (killed, machine gone) and the sweep hands it to another one.
    worker_lease_seconds: float = Field(default=15.0, gt=0)
    worker_sweep_interval_seconds: float = Field(default=10.0, gt=0)
    # Length of the rendered ad. 30 is the product; tests and previews use shorter renders.
    ad_seconds: float = Field(default=30.0, gt=0, le=30.0)
    # The frame's short side in pixels: 1080 is the product (1080x1920 portrait); 360, 540 and
    # 720 are drafts for previews and tests: the same ad drawn smaller, its sound encoded with
    # AAC's fast coder (360p: about a third of the rendering CPU).
    ad_resolution: int = FULL_RESOLUTION
    # Hosted providers (README "Providers"). Keys are secrets: never logged, stored or returned.
    script_provider: ProviderChoice = "auto"
    voice_provider: ProviderChoice = "auto"
    video_provider: ProviderChoice = "auto"
    fallback_to_offline: bool = True
    # The providers' own settings (ANTHROPIC_*, OPENAI_*, TTS_*, REPLICATE_*, PROVIDER_*,
    # PRICE_*) are derived from their domain models: see SECTIONS below.

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("ad_resolution")
    @classmethod
    def _check_resolution(cls, value: int) -> int:
        if value not in RESOLUTIONS:
            raise ValueError(f"must be one of {', '.join(map(str, RESOLUTIONS))}")
        return value

    @field_validator("api_keys")
    @classmethod
    def _check_api_keys(cls, value: SecretStr) -> SecretStr:
        _parse_api_keys(value.get_secret_value())  # fail at start-up, never echoing the keys
        return value

    @field_validator("webhook_secrets")
    @classmethod
    def _check_webhook_secrets(cls, value: SecretStr) -> SecretStr:
        _parse_pairs(value.get_secret_value(), "WEBHOOK_SECRETS", "owner:secret")
        return value

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Self:
        if self.media_storage == "s3" and not self.s3_bucket:
            raise ValueError("MEDIA_STORAGE=s3 needs S3_BUCKET")
        return self

    @model_validator(mode="after")
    def _hosted_needs_its_key(self) -> Self:
        for choice, key in STAGE_KEYS.values():
            if getattr(self, choice) == "hosted" and not getattr(self, key).get_secret_value():
                raise ValueError(f"{choice.upper()}=hosted needs {key.upper()}")
        return self

    @cached_property
    def owners_by_key(self) -> dict[str, str]:
        """API key -> owner. Empty in local mode."""
        return _parse_api_keys(self.api_keys.get_secret_value())

    @cached_property
    def webhook_secret_by_owner(self) -> dict[str, str]:
        """Owner -> the secret that signs their webhooks."""
        return _parse_pairs(self.webhook_secrets.get_secret_value(), "WEBHOOK_SECRETS", "")

    @property
    def local_mode(self) -> bool:
        return not self.owners_by_key

    @property
    def media_root(self) -> Path:
        return self.media_dir.resolve()

    @property
    def graphiql_enabled(self) -> bool:
        if self.graphiql is not None:
            return self.graphiql
        return self.debug or self.local_mode

    @property
    def console_logs(self) -> bool:
        """Readable lines for a person (local mode, DEBUG) or JSON lines for a log pipeline."""
        if self.log_format != "auto":
            return self.log_format == "console"
        return self.debug or self.local_mode


def _parse_pairs(raw: str, setting: str, form: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for position, entry in enumerate(filter(None, (e.strip() for e in raw.split(","))), 1):
        left, sep, right = entry.partition(":")
        if not sep or not left.strip() or not right.strip():
            # Name the position only: the entry itself holds a secret.
            raise ValueError(f"{setting} entry {position} is not of the form {form}")
        pairs[left.strip()] = right.strip()
    return pairs


def _parse_api_keys(raw: str) -> dict[str, str]:
    return _parse_pairs(raw, "API_KEYS", "key:owner")


def _hosted(settings: Settings, stage: StageName) -> bool:
    """`auto` resolves here: a stage is hosted when its choice is `hosted`, or `auto` with the
    provider's key set; otherwise it runs offline."""
    choice, key = STAGE_KEYS[stage]
    chosen: ProviderChoice = getattr(settings, choice)
    return chosen == "hosted" or (
        chosen == "auto" and bool(getattr(settings, key).get_secret_value())
    )


def providers_config(settings: Settings) -> ProvidersConfig:
    """The hosted providers' configuration, each model read from its section of Settings."""
    return ProvidersConfig(
        model_cache_dir=settings.model_cache_dir.resolve(),
        hosted=frozenset(stage for stage in STAGE_KEYS if _hosted(settings, stage)),
        fallback_to_offline=settings.fallback_to_offline,
        claude=CLAUDE.read(settings),
        speech=SPEECH.read(settings),
        replicate=REPLICATE.read(settings),
        retries=RETRIES.read(settings),
        prices=PRICES.read(settings),
    )


def hosted_voice(settings: Settings) -> bool:
    """Whether hosted speech is on (its voices can be chosen, and speak many languages)."""
    return _hosted(settings, StageName.VOICE_GEN)


def hosted_script(settings: Settings) -> bool:
    """Whether Claude writes the scripts (any language), or the offline writer (its books)."""
    return _hosted(settings, StageName.SCRIPT_GEN)
