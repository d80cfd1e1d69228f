"""Structured JSON logs. Log internal ids and codes only: never names, MRNs, values or IMEIs."""

from __future__ import annotations

import logging

import structlog


def configure_logging(level: str) -> None:
    numeric = logging.getLevelName(level)
    logging.basicConfig(level=numeric, format="%(message)s")
    # per-request lines from the HTTP client would only repeat what our own events say
    logging.getLogger("httpx").setLevel(max(numeric, logging.WARNING))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,  # lets structlog.testing.capture_logs see every logger
    )
