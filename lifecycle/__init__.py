"""The job's lifecycle, in one place for the API and the worker alike: which status may follow
which (`transitions`), every change committed and then announced (`change`), and a run queued or
left for the sweep (`queue`)."""
