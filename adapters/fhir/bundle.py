"""A FHIR Bundle of type collection holding a reading's Observations."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from adapters.fhir.observations import to_observation
from domain.observations import ObservationDraft


def observation_bundle(drafts: Iterable[ObservationDraft]) -> dict[str, Any]:
    """fullUrls are derived from each Observation's stable identifier, so the Bundle is reproducible."""
    entries = [
        {"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'urn:vantrexia:observation:' + d.identifier)}",
         "resource": to_observation(d)}
        for d in drafts
    ]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
