"""Splitting a voiceover into caption chunks that are shown while they are spoken.

espeak-ng does not hand back word timings in synchronous mode, so each chunk gets a share of the
spoken duration proportional to its length in characters (a good proxy for speaking time at a
fixed rate). Chunks break after punctuation where possible, so a caption is a phrase, not a
random run of words. Timing is stored as fractions of the voiceover; compositing turns them into
seconds from the voice stage's measured durations.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaptionChunk:
    text: str
    start_fraction: float  # of the scene's voiceover duration
    end_fraction: float


def split_phrases(text: str, max_words: int) -> list[str]:
    words = text.split()
    chunks: list[list[str]] = [[]]
    for word in words:
        current = chunks[-1]
        current.append(word)
        at_break = word[-1] in ",.;:!?"
        if len(current) >= max_words or (at_break and len(current) >= 2):
            chunks.append([])
    phrases = [" ".join(chunk) for chunk in chunks if chunk]
    # A lone trailing word reads badly: merge it back when there is room.
    if len(phrases) >= 2 and len(phrases[-1].split()) == 1:
        merged = f"{phrases[-2]} {phrases[-1]}"
        if len(merged.split()) <= max_words + 1:
            phrases[-2:] = [merged]
    return phrases


def caption_chunks(text: str, max_words: int) -> list[CaptionChunk]:
    phrases = split_phrases(text, max_words)
    weights = [len(phrase) + 3 for phrase in phrases]
    total = sum(weights)
    chunks = []
    position = 0
    for phrase, weight in zip(phrases, weights, strict=True):
        start = position / total
        position += weight
        chunks.append(CaptionChunk(phrase, round(start, 5), round(position / total, 5)))
    return chunks
