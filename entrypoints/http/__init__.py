"""The provider app's HTTP API (Litestar)."""
