"""Entrypoints: the HTTP API, the outbox worker, the CLI and the composition root."""
