"""How `python -m worker` ends, for its supervisor (devserver, systemd, a container runtime)."""

# EX_TEMPFAIL: a stage's thread could not be stopped (worker/watchdog.py); the worker finished
# its other jobs and asks to be started afresh. A supervisor restarts it.
RECYCLE_EXIT_CODE = 75
