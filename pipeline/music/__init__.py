"""The music bed: the bundled tracks, their beats, and which bed an ad gets (decided once)."""
