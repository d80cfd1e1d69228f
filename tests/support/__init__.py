"""Shared test harness: a world of fakes, the app wired to it, signed deliveries."""
