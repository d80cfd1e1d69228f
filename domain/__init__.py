"""Vantrexia's pure domain model: entities, value objects, rules and ports.

Nothing here imports anything but the standard library.
"""
