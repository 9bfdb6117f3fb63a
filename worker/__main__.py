"""`python -m worker`: one arq worker process, configured from the environment / .env."""

from __future__ import annotations

import os
import sys

from logs import configure_logging
from settings import Settings
from worker.context import state_of
from worker.exit_codes import RECYCLE_EXIT_CODE
from worker.process import build_worker


def main() -> None:
    settings = Settings()
    configure_logging(console=settings.console_logs, level=settings.log_level)
    # Before any thread or child exists: they all inherit it.
    os.nice(settings.worker_nice)
    worker = build_worker(settings)
    worker.run()
    if "state" in worker.ctx and state_of(worker.ctx).slots.recycle.is_set():
        # A stuck thread would keep the interpreter's exit waiting for it forever.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(RECYCLE_EXIT_CODE)


if __name__ == "__main__":
    main()
