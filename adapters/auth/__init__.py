"""Provider-app authentication: argon2id password hashes and short-lived bearer tokens."""
