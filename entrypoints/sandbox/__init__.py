"""An HTTP-level sandbox of a SMART/FHIR EMR (its own ASGI app): tests and demo mode only."""

from entrypoints.sandbox.app import AUTHORIZE_PATH, FHIR_PATH, TOKEN_PATH, create_sandbox
from entrypoints.sandbox.state import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, Failure, SandboxState

__all__ = [
    "AUTHORIZE_PATH", "FHIR_PATH", "SANDBOX_CLIENT_ID", "SANDBOX_CLIENT_SECRET", "TOKEN_PATH", "Failure",
    "SandboxState", "create_sandbox",
]
