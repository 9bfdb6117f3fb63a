"""Speaking rates of the Kokoro voices for the native phrase books (the writer's timing).

    .venv/bin/python -m bench.kokoro_rates [--lang es fr pt] [--items 16]

As bench.phrase_rates does for espeak-ng, but each line is said by the language's default Kokoro
voice (domain.voices.default_voice) at each style's pace (pipeline.voice.offline.DELIVERY),
through the app's own synthesis (pipeline.voice.kokoro, silence trimmed and pauses set as the
app does). The lengths are fitted to the writer's counts, on the line as it is said
(pipeline.shared.spoken); prints the fit's error per style and the `KOKORO_SPEAKING` dict to
paste into each language's module.
"""

from __future__ import annotations

import argparse

from bench.phrase_rates import fit, module, sample_lines
from domain.enums import Style
from domain.voices import default_voice
from pipeline.shared.spoken import spoken_text
from pipeline.stages import DEFAULT_MODEL_CACHE
from pipeline.voice.kokoro import kokoro
from pipeline.voice.offline import DELIVERY


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", nargs="+", default=["es", "fr", "pt"])
    parser.add_argument("--items", type=int, default=16)
    args = parser.parse_args()
    engine = kokoro(DEFAULT_MODEL_CACHE)
    for language in args.lang:
        voice = default_voice(language, hosted_voice=False)
        assert voice is not None and voice.engine == "kokoro", voice
        speaker = engine.speaker(voice.engine_name, language, "Aurora")
        books = module(language).PHRASEBOOKS
        print(f"{language} ({voice.engine_name})")
        rows = []
        for n, style in enumerate(Style):
            lines = sample_lines(language, books[style], args.items, seed=n)[: args.items]
            seconds = [speaker.synthesize(line, DELIVERY[style]).seconds for line in lines]
            result = fit([spoken_text(line, language) for line in lines], seconds)
            print(
                f"  {style}: rms {result.rms:.2f} s, max {result.max_error:.2f} s "
                f"({result.max_relative:.0%}), longest {result.longest:.1f} s, n={result.count}"
            )
            rows.append((style, result.rate))
        print("KOKORO_SPEAKING: dict[Style, SpeakingRate] = {")
        for style, rate in rows:
            print(f"    Style.{style.name}: SpeakingRate(letter={rate.letter}, "
                  f"sentence={rate.sentence}, comma={rate.comma}),")  # fmt: skip
        print("}")


if __name__ == "__main__":
    main()
