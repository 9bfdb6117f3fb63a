"""Hosted providers for the stages (Claude, an OpenAI-compatible speech API, Replicate video),
the choice between them and the offline providers, the fallback, and what each call costs.

Nothing here reads the environment: `settings.providers_config` turns `Settings` into plain
configuration, and the worker builds the stage functions once per process (`choice`).
"""
