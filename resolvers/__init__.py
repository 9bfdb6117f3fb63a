"""What each GraphQL field does: reads through db/, writes then enqueues, publishes through events/.

Resolvers return rows and plain data; schema/ wraps them in GraphQL types. Expected failures
come back as `UserError` data, never as exceptions.
"""
