"""The arq worker: runs the four stages of a job, records every step, publishes progress.

Run it with `python -m worker` (`make serve` starts one beside the API).
"""
