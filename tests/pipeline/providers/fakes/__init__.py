"""Local stand-ins for the hosted APIs: Starlette apps on loopback that accept the real request
shapes and answer with the real response shapes (and error shapes) of each API, recording what
they received so tests can assert on it. Nothing here talks to the internet."""
