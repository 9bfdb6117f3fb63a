"""A command-line client for an adreel server, over its GraphQL API (HTTP and websockets)."""
