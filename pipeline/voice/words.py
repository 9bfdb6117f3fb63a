"""Word timings from phoneme timings, for the captions: each written word gets the time span of
its own phonemes.

A neural narrator reports when each phoneme of a sentence is said, but not which word each
phoneme belongs to (the phonemiser merges, splits and re-spells words). Each word is phonemised
on its own and that stream matched to the sentence's by edit distance, so a word starts where its
first matched phoneme starts. Piper (pipeline.voice.piper) and Kokoro (pipeline.voice.kokoro)
both time their words this way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IGNORED = set("ˈˌ ,.!?;:-'\"()—…«»¡¿“”^$_")  # marks that do not help match words to phonemes
PAUSES = ",.!?;:^…"


@dataclass(frozen=True)
class Word:
    text: str
    start: float  # seconds from the start of the speech
    end: float


def word_times(
    tokens: list[str], sounds: list[str], phonemes: list[tuple[str, float, float]]
) -> list[Word]:
    """Each token with the span of its phonemes: `sounds[i]` is token i's phonemes on its own
    ("" when it says nothing), `phonemes` the sentence's (phoneme, start, end) in seconds."""
    stream = [i for i, (p, _, _) in enumerate(phonemes) if p not in IGNORED]
    letters: list[str] = []
    owner: list[int] = []
    for index, sound in enumerate(sounds):
        kept = [c for c in sound if c not in IGNORED]
        letters += kept
        owner += [index] * len(kept)
    match = align([phonemes[i][0] for i in stream], letters)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for k, j in enumerate(match):
        if j is not None:
            first.setdefault(owner[j], stream[k])
            last[owner[j]] = stream[k]
    words: list[Word] = []
    for index, token in enumerate(tokens):
        if index not in first:  # said nothing ("—", the "€" of "24,90 €"): an instant
            at = words[-1].end if words else 0.0
            words.append(Word(token, at, at))
            continue
        start = phonemes[first[index]][1]
        # The word separator belongs to the coming word unless a pause (punctuation, a
        # sentence start) sits in between.
        j = first[index] - 1
        while j >= 0 and phonemes[j][0] in "ˈˌ":
            j -= 1
        if j >= 0 and phonemes[j][0] == " " and (j == 0 or phonemes[j - 1][0] not in PAUSES):
            start = phonemes[j][1]
        words.append(Word(token, start, phonemes[last[index]][2]))
    for k in range(1, len(words)):  # never overlapping, in order
        before, word = words[k - 1], words[k]
        if word.start < before.end:
            middle = (before.end + word.start) / 2
            words[k - 1] = Word(before.text, before.start, middle)
            words[k] = Word(word.text, middle, max(middle, word.end))
    return words


def align(a: list[str], b: list[str]) -> list[int | None]:
    """Edit-distance alignment: for each item of `a`, the index of its match in `b` or None."""
    n, m = len(a), len(b)
    cost = np.zeros((n + 1, m + 1), dtype=np.int32)
    cost[:, 0] = np.arange(n + 1)
    cost[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i, j] = min(
                cost[i - 1, j] + 1,
                cost[i, j - 1] + 1,
                cost[i - 1, j - 1] + (a[i - 1] != b[j - 1]),
            )
    matched: list[int | None] = [None] * n
    i, j = n, m
    while i > 0 and j > 0:
        if cost[i, j] == cost[i - 1, j - 1] + (a[i - 1] != b[j - 1]):
            matched[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif cost[i, j] == cost[i - 1, j] + 1:
            i -= 1
        else:
            j -= 1
    return matched
