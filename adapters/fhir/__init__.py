"""Vendor-neutral FHIR R4 mapping and SMART/FHIR clients (eCW specifics live in adapters.ecw)."""
