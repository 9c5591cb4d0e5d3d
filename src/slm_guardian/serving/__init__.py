"""`guardian serve`: the guardian behind an OpenAI-compatible HTTP API."""
