"""OpenTelemetry: the Tracer port over the OTel API, and SDK set-up from the standard OTEL_* variables."""
