"""The `vantrexia` command line."""
