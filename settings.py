"""The one place configuration is read: environment variables and `.env`.

`Settings` is built once at the edge (server start-up, worker start-up, the CLI) and passed in;
nothing else reads `os.environ`. Every field is documented in `.env.example`.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOCAL_OWNER = "local"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    database_url: str = "sqlite+aiosqlite:///./var/adreel.db"
    # Unset: `make serve`, `make demo` and the tests start an embedded redis-server from a wheel.
    redis_url: str | None = None
    media_dir: Path = Path("./var/media")
    # Browser origins allowed by CORS (comma separated).
    cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:3000"]
    # `key:owner,key:owner`. Empty: local mode, every job belongs to one local owner.
    api_keys: SecretStr = SecretStr("")
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_image_pixels: int = Field(default=40_000_000, gt=0)
    debug: bool = False
    graphiql: bool = False
    introspection: bool = True
    # Prefix for media URLs in responses (e.g. https://ads.example.com); empty: relative /media/...
    public_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
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
    # How often the worker looks for queued work; arq's 0.5 s default adds ~250 ms to every job.
    worker_poll_delay: float = Field(default=0.05, gt=0)
    # A running job holds a lease it renews; a PROCESSING job whose lease lapsed lost its worker
    # (killed, machine gone) and the sweep hands it to another one.
    worker_lease_seconds: float = Field(default=15.0, gt=0)
    worker_sweep_interval_seconds: float = Field(default=10.0, gt=0)
    # Length of the rendered ad. 30 is the product; tests and previews use shorter renders.
    ad_seconds: float = Field(default=30.0, gt=0, le=30.0)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("api_keys")
    @classmethod
    def _check_api_keys(cls, value: SecretStr) -> SecretStr:
        _parse_api_keys(value.get_secret_value())  # fail at start-up, never echoing the keys
        return value

    @cached_property
    def owners_by_key(self) -> dict[str, str]:
        """API key -> owner. Empty in local mode."""
        return _parse_api_keys(self.api_keys.get_secret_value())

    @property
    def local_mode(self) -> bool:
        return not self.owners_by_key

    @property
    def media_root(self) -> Path:
        return self.media_dir.resolve()

    @property
    def graphiql_enabled(self) -> bool:
        return self.debug or self.graphiql


def _parse_api_keys(raw: str) -> dict[str, str]:
    owners: dict[str, str] = {}
    for position, entry in enumerate(filter(None, (e.strip() for e in raw.split(","))), 1):
        key, sep, owner = entry.partition(":")
        if not sep or not key.strip() or not owner.strip():
            # Name the position only: the entry itself holds a secret.
            raise ValueError(f"API_KEYS entry {position} is not of the form key:owner")
        owners[key.strip()] = owner.strip()
    return owners
