"""eClinicalWorks: its URLs, settings and quirks on top of the vendor-neutral adapters.fhir."""

from adapters.ecw.config import ConfigError, EcwConfig, build_ecw_gateway

__all__ = ["ConfigError", "EcwConfig", "build_ecw_gateway"]
