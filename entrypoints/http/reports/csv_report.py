"""Reports as CSV: the vitals report (one row per value, with its unit) and the billing month (one row per
billable code). The API and the console answer the same files."""

from __future__ import annotations

import csv
import io

from application.billing import PatientBilling
from application.reports import VitalsReport

HEADER = ("measured_at", "reading_id", "kind", "measure", "value", "unit")
BILLING_HEADER = ("patient_id", "mrn", "name", "code", "units", "reason")


def vitals_csv(report: VitalsReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for reading in report.readings:
        for sign, quantity in reading.measurement.values.items():
            writer.writerow((reading.measured_at.isoformat(), reading.id, reading.kind.value, sign.value,
                             str(quantity.value), quantity.unit.value))
    return out.getvalue()


def billing_csv(rows: list[PatientBilling]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BILLING_HEADER)
    for row in rows:
        for code in row.billing.billable:
            writer.writerow((row.patient.id, row.patient.mrn or "", row.patient.name, code.code, code.units,
                             code.reason))
    return out.getvalue()


def billing_filename(month: str) -> str:
    """The download's file name (the month only: no PHI)."""
    return f"rpm-billing-{month}.csv"
