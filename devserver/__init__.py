"""Local running: the embedded Redis, `make serve` and `make demo`. Not used in production."""
