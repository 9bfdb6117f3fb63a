"""Failures a stage can raise, split by what the worker should do about them.

A `StageError` is permanent: retrying with the same inputs fails the same way, so the worker marks
the stage failed with the message (written for a person, naming the cause). A
`TransientStageError` is worth retrying with backoff (a busy machine, a killed child process).
"""

from __future__ import annotations


class StageError(Exception):
    """Permanent failure of a stage; the message says the cause in words."""


class TransientStageError(StageError):
    """A failure that may pass if the stage is run again later."""
