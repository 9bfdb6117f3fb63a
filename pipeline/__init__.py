"""Stage code for making an ad: templates, script, voice, video, compositing.

Pure pipeline code: it knows nothing of GraphQL, arq or the database. The worker drives it.
"""
