"""script_gen: the ad's script. Offline, a template writer (`offline`); hosted, Claude with a
vision look at the photo (`claude`). Both pass the same rules (domain.script)."""
