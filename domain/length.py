"""How long an ad is: decided once, when the job is made, from what its brief has to say.

An ad never pads. A brief that is a name and a call-to-action has a hook and an end card to
say and nothing more, so it makes a 15-second ad; a description and key benefits give the
feature and benefit scenes something to say, and the ad grows to hold it, in 5-second steps up
to 30 seconds. SECONDS_15 and SECONDS_30 force the length (a long brief in 15 s keeps what fits,
cut at clause boundaries; a thin one in 30 s shows its pictures longer, saying no more).

The decided length is stored with the job (`jobs.duration_seconds`) so that retries and variants
render what was decided, whatever this rule becomes. A deployment's AD_SECONDS (short renders
for tests and previews) caps it: `render_seconds`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from domain.enums import AdDuration
from domain.text import count_words

SHORT_SECONDS = 15.0
FULL_SECONDS = 30.0
STEP_SECONDS = 5.0
# The hook scene (one line in at most HOOK_SPOKEN_SECONDS) and the end card take about this
# much of any ad, and the two middle scenes at least as much again: a 15 s ad.
FRAME_SECONDS = 7.5
MIN_MIDDLE_SECONDS = 7.5
# A word of the maker's copy takes about this long in the middle scenes: the narrators say
# ~3 words a second, and a line fills 88% of its scene's voice window (domain.script.FILL).
SECONDS_PER_WORD = 0.38

FORCED = {AdDuration.SECONDS_15: SHORT_SECONDS, AdDuration.SECONDS_30: FULL_SECONDS}


def content_words(description: str | None, benefits: Sequence[str]) -> int:
    """The words the middle scenes have to say: the description and the key benefits."""
    return count_words(description or "") + sum(count_words(b) for b in benefits)


def ad_seconds(
    duration: AdDuration, description: str | None = None, benefits: Sequence[str] = ()
) -> float:
    """The ad's length in seconds for `duration`: forced, or (AUTO) what the brief needs."""
    if duration in FORCED:
        return FORCED[duration]
    middle = max(MIN_MIDDLE_SECONDS, content_words(description, benefits) * SECONDS_PER_WORD)
    stepped = math.ceil((FRAME_SECONDS + middle) / STEP_SECONDS - 1e-9) * STEP_SECONDS
    return min(FULL_SECONDS, max(SHORT_SECONDS, stepped))


def render_seconds(decided: float, limit: float) -> float:
    """What is rendered: the decided length, no longer than the deployment's AD_SECONDS."""
    return min(decided, limit)
