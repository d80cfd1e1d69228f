"""The vitals report as CSV: one row per value, with its unit."""

from __future__ import annotations

import csv
import io

from application.reports import VitalsReport

HEADER = ("measured_at", "reading_id", "kind", "measure", "value", "unit")


def vitals_csv(report: VitalsReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for reading in report.readings:
        for sign, quantity in reading.measurement.values.items():
            writer.writerow((reading.measured_at.isoformat(), reading.id, reading.kind.value, sign.value,
                             str(quantity.value), quantity.unit.value))
    return out.getvalue()
