"""The data layer: SQLAlchemy 2.0 async models for jobs and their stages, and the queries on them.

Query helpers take a session and never commit: the caller (a mutation, a worker step) is the
unit of work and commits once at its edge.
"""
