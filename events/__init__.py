"""What the API and the worker share over Redis: the job queue and the progress events.

A small top-level package because both sides use it: the API enqueues and (through its hub)
subscribes; the worker dequeues and publishes.
"""
