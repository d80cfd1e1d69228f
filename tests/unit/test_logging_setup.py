"""Production logging: JSON events, and HTTP clients' per-request lines (which carry URLs) silenced."""

from __future__ import annotations

import logging

from entrypoints.logging_setup import configure_logging


def test_http_client_request_lines_are_not_logged() -> None:
    before = logging.getLogger("httpx").level
    try:
        configure_logging("DEBUG")
        assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    finally:
        logging.getLogger("httpx").setLevel(before)
