"""What the sandbox holds (patients, Observations, tokens) and records (requests, counts, injected failures)."""

from __future__ import annotations

import itertools
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any

from adapters.fakes.synthetic import synthetic_patients
from entrypoints.sandbox.resources import patient_resource

SANDBOX_CLIENT_ID = "vantrexia-sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 - a fixed test credential of the sandbox only
ALLOWED_SCOPES = frozenset({"system/Patient.read", "system/Observation.write", "system/Observation.read",
                            "openid", "fhirUser", "launch/patient", "patient/Patient.read",
                            "patient/Observation.read", "offline_access"})


@dataclass(frozen=True)
class Failure:
    """An injected answer: `status` (with Retry-After), or a hang of `hang_seconds` (a timeout)."""

    status: int = 503
    retry_after: str | None = None
    body: dict[str, Any] | None = None
    hang_seconds: float = 0.0
    path_prefix: str = ""  # only requests under this path ("" = FHIR and token requests)
    after_processing: bool = False  # do the work, then lose the answer (as a gateway timeout would)


@dataclass
class SandboxState:
    """Mutable state of one sandbox; tests read the records to see what really arrived."""

    client_id: str = SANDBOX_CLIENT_ID
    client_secret: str = SANDBOX_CLIENT_SECRET
    conditional_create: bool = True
    token_lifetime_seconds: int = 3600
    latency_seconds: float = 0.0
    patients: dict[str, dict[str, Any]] = field(default_factory=dict)
    observations: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict, repr=False)
    seen_jti: dict[str, float] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path?query) of every request
    token_requests: int = 0
    token_errors: list[str] = field(default_factory=list)
    granted_scopes: list[str] = field(default_factory=list)  # of each client_credentials token, as requested
    assertion_kids: list[str] = field(default_factory=list)  # the key id of each verified client assertion
    observation_posts: int = 0
    creates_per_identifier: Counter[str] = field(default_factory=Counter)
    received_observations: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    @classmethod
    def seeded(cls, patient_count: int = 45, **options: Any) -> SandboxState:
        """A sandbox with `patient_count` deterministic synthetic patients."""
        state = cls(**options)
        for patient in synthetic_patients(patient_count):
            state.patients[patient.emr_patient_id] = patient_resource(patient)
        return state

    def reset(self, patient_count: int = 45, **options: Any) -> None:
        """Back to a freshly seeded state, in place (a running sandbox keeps serving this object)."""
        fresh = SandboxState.seeded(patient_count, **options)
        for item in fields(self):
            setattr(self, item.name, getattr(fresh, item.name))

    @property
    def observation_creates(self) -> int:
        return sum(self.creates_per_identifier.values())

    def requests_to(self, method: str, path_prefix: str) -> list[str]:
        return [path for m, path in self.requests if m == method and path.startswith(path_prefix)]

    def fail_next(self, status: int = 503, count: int = 1, **options: Any) -> None:
        """The next `count` matching requests get this failure instead of their answer."""
        self.failures.extend(Failure(status, **options) for _ in range(count))

    def take_failure(self, path: str, *, after_processing: bool = False) -> Failure | None:
        for index, failure in enumerate(self.failures):
            if path.startswith(failure.path_prefix) and failure.after_processing == after_processing:
                return self.failures.pop(index)
        return None

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = time.time() + self.token_lifetime_seconds
        return token

    def token_valid(self, token: str) -> bool:
        return self.tokens.get(token, 0.0) > time.time()

    def expire_tokens(self) -> None:
        """Every issued token stops working (the next FHIR call gets 401)."""
        self.tokens.clear()

    def remember_jti(self, jti: str, expires: float) -> bool:
        """False if the jti was seen before (a replay)."""
        now = time.time()
        self.seen_jti = {j: e for j, e in self.seen_jti.items() if e > now - 600}
        if jti in self.seen_jti:
            return False
        self.seen_jti[jti] = expires
        return True

    def add_observation(self, resource: dict[str, Any]) -> dict[str, Any]:
        """Store an Observation under a new id (version 1), as a create would."""
        stored = {**resource, "id": f"obs-{next(self._ids)}",
                  "meta": {**resource.get("meta", {}), "versionId": "1"}}
        self.observations[stored["id"]] = stored
        for identifier in stored.get("identifier", []):
            self.creates_per_identifier[str(identifier.get("value", ""))] += 1
        return stored

    def observations_with(self, system: str | None, value: str) -> list[dict[str, Any]]:
        return [o for o in self.observations.values()
                if any(i.get("value") == value and (system is None or i.get("system") == system)
                       for i in o.get("identifier", []))]
