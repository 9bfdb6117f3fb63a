"""How a product's name is said and shown, whatever its length or script.

createJob accepts any name of up to 120 characters: a long brand string, 120 Chinese characters,
a row of emoji. The writer must still fit every line into its scene and every headline on the
screen, so it works with forms of the name rather than the name itself:
- spoken forms, longest first: what the narrator can say (symbols and emoji are not said) in at
  most SPOKEN_MAX_WORDS words and SPOKEN_MAX_CHARS characters, shortened by whole words where the
  name has words and by characters where it has none; empty when nothing in it can be said;
- the on-screen name: the name itself when it fits a headline and the font can draw it, else
  None (the style's headline is shown instead).
"""

from __future__ import annotations

import regex

from domain.script import ON_SCREEN_MAX_CHARS, ON_SCREEN_MAX_WORDS
from domain.text import count_words, grapheme_len, graphemes

SPOKEN_MAX_WORDS = 5
SPOKEN_MAX_CHARS = 40

# Not said: symbols (emoji, ™, ©), modifiers (skin tones), format characters (joiners),
# enclosing marks (keycaps) and variation selectors.
_UNSAID = regex.compile(r"[\p{So}\p{Sk}\p{Cf}\p{Me}\p{Co}\uFE00-\uFE0F]+")
_SAYABLE = regex.compile(r"[\p{L}\p{N}]")


def said(name: str) -> str:
    """The part of the name a narrator can say, whitespace collapsed."""
    return " ".join(_UNSAID.sub(" ", name).split())


def _fits_speech(text: str) -> bool:
    return count_words(text) <= SPOKEN_MAX_WORDS and grapheme_len(text) <= SPOKEN_MAX_CHARS


def _cut(text: str) -> str:
    """The longest start of `text` (whole characters) that fits speech."""
    chars = graphemes(text)
    size = min(len(chars), SPOKEN_MAX_CHARS)
    while size > 1 and not _fits_speech("".join(chars[:size])):
        size -= 1
    return "".join(chars[:size]).strip()


def spoken_forms(name: str) -> list[str]:
    """Forms of the name to say, longest first; [] when it holds nothing to say."""
    text = said(name)
    if not _SAYABLE.search(text):
        return []
    words = text.split()
    forms = [" ".join(words[:k]) for k in range(len(words), 0, -1)]
    fitting = [form for form in forms if _fits_speech(form)]
    if not fitting:
        fitting = [_cut(words[0])]
    # Fewer words first drops the name's tail; a still shorter cut helps the tightest scenes.
    shortest = _cut(fitting[-1]) if grapheme_len(fitting[-1]) > 12 else fitting[-1]
    ordered = [*fitting, shortest]
    return list(dict.fromkeys(form for form in ordered if form))


def fits_screen(text: str) -> bool:
    return grapheme_len(text) <= ON_SCREEN_MAX_CHARS and count_words(text) <= ON_SCREEN_MAX_WORDS
