"""Adapters: implementations of the domain's ports (real systems and in-memory fakes)."""
