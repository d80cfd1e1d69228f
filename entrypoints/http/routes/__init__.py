"""Route handlers, grouped by what the provider app does."""
