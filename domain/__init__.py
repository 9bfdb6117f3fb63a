"""The domain's shared words and rules: imported by every layer, importing nothing of ours."""
