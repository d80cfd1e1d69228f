"""Key stores and JWK helpers (file-backed for local use)."""
