"""`python -m devserver.api_process <uvicorn options>`: uvicorn as the stack runs it, with the
API processes of `--workers N` ending with their supervisor.

uvicorn's supervisor starts its API processes with multiprocessing's spawn, and nothing ties them
to it: when the supervisor gets SIGKILL (directly, or as its parent-death signal when `make serve`
dies) they live on, sharing the port. Each spawned process imports the supervisor's main module
under the name `__mp_main__` before anything else (multiprocessing's "safe importing of the main
module"): this module, run as the supervisor's main, is imported that way in each of them, and
there asks for the parent-death signal (devserver/parent_death.py) before uvicorn starts.
"""

from __future__ import annotations

import os
import sys

# The supervisor's pid, which each API process checks is still its parent once its signal is set.
SUPERVISOR_PID = "ADREEL_API_SUPERVISOR_PID"

if __name__ == "__mp_main__":  # an API process spawned by uvicorn's supervisor
    from devserver.parent_death import die_with_parent, supported

    if supported() and SUPERVISOR_PID in os.environ:
        die_with_parent(int(os.environ[SUPERVISOR_PID]))

if __name__ == "__main__":  # the supervisor (or, with one process, the API itself)
    import uvicorn

    os.environ[SUPERVISOR_PID] = str(os.getpid())
    sys.argv[0] = "uvicorn"
    sys.exit(uvicorn.main())
