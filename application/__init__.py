"""Use cases: one small class per capability, orchestrating the domain through its ports."""
