"""The production sources of time, ids and randomness (their test doubles are in adapters/fakes/clock.py)."""
