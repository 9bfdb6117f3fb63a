"""Native phrase books for the offline writer, one module per language (es, fr, de, pt).

Each module holds `PHRASEBOOKS` (Style -> Phrasebook, written by language rather than translated
from the English book in `pipeline.script.lines`), `SPEAKING` (Style -> SpeakingRate, measured on
`VOICE` by `bench/phrase_rates.py`) and `VOICE`, the espeak-ng voice the rates were measured on.
The same rules hold as in English: every line names the product or the offer (no filler), none
claims anything about the product, and none needs the product's grammatical gender.
"""
