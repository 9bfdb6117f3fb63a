"""`python -m worker`: one arq worker process, configured from the environment / .env."""

from __future__ import annotations

import os

from arq.worker import Worker

from logs import configure_logging
from settings import Settings
from worker.process import worker_settings


def main() -> None:
    settings = Settings()
    configure_logging(console=settings.console_logs, level=settings.log_level)
    # Before any thread or child exists: they all inherit it.
    os.nice(settings.worker_nice)
    Worker(**worker_settings(settings)).run()


if __name__ == "__main__":
    main()
