"""The HTTP edge of the API: middleware, the GraphQL view, health and media routes."""
