"""voice_gen: one voiceover per scene. Offline, espeak-ng in a child process (`offline`,
`espeak`); hosted, an OpenAI-compatible speech API (`hosted`)."""
