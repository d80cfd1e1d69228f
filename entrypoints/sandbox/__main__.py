"""`python -m entrypoints.sandbox`: serve the SMART/FHIR sandbox on 127.0.0.1 for demos.

It verifies client assertions against the JWKS our API publishes, so start the API first (or point
--jwks-url elsewhere). It prints the ECW_* settings that make the app talk to it.
"""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from entrypoints.sandbox.app import create_sandbox
from entrypoints.sandbox.serve import ECW_LIKE, SMART_MODE
from entrypoints.sandbox.state import SANDBOX_CLIENT_ID, SandboxState

HOST = "127.0.0.1"  # a demo server: never on a public interface


def parse_args(argv: list[str]) -> argparse.Namespace:
    api_port = os.environ.get("PORT", "8000")
    parser = argparse.ArgumentParser(prog="python -m entrypoints.sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8900, help="port on 127.0.0.1 (default 8900)")
    parser.add_argument("--jwks-url", default=f"http://127.0.0.1:{api_port}/.well-known/jwks.json",
                        help="where our public keys are published (default: the local API)")
    parser.add_argument("--client-id", default=SANDBOX_CLIENT_ID, help="the registered client id")
    parser.add_argument("--patients", type=int, default=150, help="synthetic patients to hold")
    parser.add_argument("--smart", action="store_true",
                        help="a generic SMART server: no practice code, token URL only by SMART discovery")
    parser.add_argument("--no-conditional-create", action="store_true",
                        help="advertise and behave as a server without conditional create")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    state = SandboxState.seeded(args.patients, client_id=args.client_id,
                                conditional_create=not args.no_conditional_create)
    paths = SMART_MODE if args.smart else ECW_LIKE
    app = create_sandbox(args.jwks_url, state=state, fhir_path=paths.fhir, token_path=paths.token,
                         authorize_path=paths.authorize)
    origin = f"http://{HOST}:{args.port}"
    if args.smart:
        print("generic SMART/FHIR sandbox; add it as a clinic's connection with:")
        print(f"  vendor smart, fhir_base_url {origin}{paths.fhir}, client_id {args.client_id}, no token_url",
              flush=True)
    else:
        print("SMART/FHIR sandbox; point the app at it with:")
        for line in ("ECW_ENVIRONMENT=staging", f"ECW_CLIENT_ID={args.client_id}",
                     f"ECW_FHIR_BASE_URL={origin}{paths.fhir}", f"ECW_TOKEN_URL={origin}{paths.token}"):
            print(f"  {line}", flush=True)
    uvicorn.run(app, host=HOST, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
