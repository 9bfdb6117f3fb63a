"""How a worker process's exit code speaks to whatever runs it (`make serve`, a supervisor).

Kept free of imports so that the devserver can read it without loading the worker.
"""

from __future__ import annotations

# EX_TEMPFAIL (sysexits.h): the worker asks to be replaced by a fresh process, as when a thread
# is stuck in native code that no cancellation reaches. `make serve` starts a new worker for it;
# any other exit of a worker ends `make serve`.
RECYCLE_EXIT_CODE = 75
