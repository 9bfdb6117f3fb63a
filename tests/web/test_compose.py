"""docker-compose.yml: the services an operator expects, in the order they must start."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def _compose_cli() -> list[str] | None:
    """`docker compose` (v2 plugin) or `docker-compose` (v1); neither needs a Docker engine
    to validate a file."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_services_start_in_order_with_shared_postgres_redis_and_object_storage() -> None:
    config: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    services = config["services"]
    assert {"api", "worker", "migrate", "postgres", "redis", "s3", "bucket"} <= set(services)
    assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["redis"]["condition"] == "service_healthy", name
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+asyncpg://"), name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert "media:/data/media" in services[name]["volumes"], name
        assert depends["bucket"]["condition"] == "service_completed_successfully", name
        assert env["MEDIA_STORAGE"] == "${MEDIA_STORAGE:-s3}", name
        assert env["S3_ENDPOINT_URL"] == "${S3_ENDPOINT_URL:-http://s3:9000}", name
    assert services["bucket"]["depends_on"]["s3"]["condition"] == "service_healthy"
    assert services["worker"]["command"] == ["python", "-m", "worker"]
    assert "server:create_app" in services["api"]["command"]
    assert (ROOT / "Dockerfile").is_file()


def test_compose_accepts_the_file() -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    done = subprocess.run(
        [*cli, "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
