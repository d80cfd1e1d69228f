"""The vitals report as an SVG trend chart: one panel per measure, threshold bands behind the points."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from application.reports import VitalsReport
from domain.readings import Reading, VitalSign
from domain.triage import Thresholds
from domain.validation import glucose_mg_dl

WIDTH, PANEL_HEIGHT, LEFT, RIGHT, TOP = 820, 170, 60, 20, 56
WARNING, CRITICAL = "#fde7b0", "#f8c4c0"
COLORS = {VitalSign.SYSTOLIC: "#1f5fa8", VitalSign.DIASTOLIC: "#5aa0e0", VitalSign.PULSE: "#7a3fa0",
          VitalSign.SPO2: "#1f8a5a", VitalSign.BODY_WEIGHT: "#8a5a1f", VitalSign.GLUCOSE: "#a81f4f"}


@dataclass(frozen=True)
class Panel:
    title: str
    unit: str
    signs: tuple[VitalSign, ...]
    low: float
    high: float
    bands: tuple[tuple[float, float, str], ...]  # (from, to, colour)


def panels(t: Thresholds) -> list[Panel]:
    f = float
    return [
        Panel("Systolic blood pressure", "mmHg", (VitalSign.SYSTOLIC,), 60, 220,
              ((f(t.systolic_crisis_above), 220, CRITICAL), (f(t.systolic_stage2_from), f(t.systolic_crisis_above),
               WARNING), (60, f(t.systolic_critical_low_below), CRITICAL),
               (f(t.systolic_critical_low_below), f(t.systolic_low_below), WARNING))),
        Panel("Diastolic blood pressure", "mmHg", (VitalSign.DIASTOLIC,), 40, 140,
              ((f(t.diastolic_crisis_above), 140, CRITICAL),
               (f(t.diastolic_stage2_from), f(t.diastolic_crisis_above), WARNING))),
        Panel("Heart rate", "/min", (VitalSign.PULSE,), 30, 160,
              ((f(t.pulse_critical_high_above), 160, CRITICAL), (f(t.pulse_high_above), f(t.pulse_critical_high_above),
               WARNING), (30, f(t.pulse_critical_low_below), CRITICAL),
               (f(t.pulse_critical_low_below), f(t.pulse_low_below), WARNING))),
        Panel("Oxygen saturation", "%", (VitalSign.SPO2,), 75, 100,
              ((75, f(t.spo2_critical_below), CRITICAL), (f(t.spo2_critical_below), f(t.spo2_low_below), WARNING))),
        Panel("Blood glucose", "mg/dL", (VitalSign.GLUCOSE,), 30, 450,
              ((f(t.glucose_critical_high_above), 450, CRITICAL), (f(t.glucose_high_above),
               f(t.glucose_critical_high_above), WARNING), (30, f(t.glucose_critical_low_below), CRITICAL),
               (f(t.glucose_critical_low_below), f(t.glucose_low_below), WARNING))),
        Panel("Body weight", "kg", (VitalSign.BODY_WEIGHT,), 0, 0, ()),
    ]


def _value(reading: Reading, sign: VitalSign) -> float | None:
    quantity = reading.value(sign)
    if quantity is None:
        return None
    return float(glucose_mg_dl(quantity) if sign is VitalSign.GLUCOSE else quantity.value)


def vitals_svg(report: VitalsReport) -> str:
    """A self-contained SVG; panels without readings are left out."""
    shown = []
    for panel in panels(report.thresholds):
        series = {s: [(r.measured_at, v) for r in report.readings if (v := _value(r, s)) is not None]
                  for s in panel.signs}
        if any(series.values()):
            shown.append((panel, series))
    height = TOP + max(len(shown), 1) * (PANEL_HEIGHT + 30) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="sans-serif" font-size="11">',
             f"<title>Vitals {report.start:%Y-%m-%d} to {report.end:%Y-%m-%d}</title>",
             f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold">Home vitals, '
             f"{report.start:%d %b %Y} to {report.end:%d %b %Y}</text>",
             f'<rect x="{LEFT}" y="30" width="12" height="10" fill="{WARNING}"/>'
             f'<text x="{LEFT + 16}" y="39">warning range</text>'
             f'<rect x="{LEFT + 110}" y="30" width="12" height="10" fill="{CRITICAL}"/>'
             f'<text x="{LEFT + 126}" y="39">critical range</text>']
    if not shown:
        parts.append(f'<text x="{LEFT}" y="{TOP + 40}">No readings in this period.</text>')
    for index, (panel, series) in enumerate(shown):
        parts.extend(_panel(panel, series, report.start, report.end, TOP + index * (PANEL_HEIGHT + 30)))
    parts.append("</svg>")
    return "\n".join(parts)


def _panel(panel: Panel, series: dict[VitalSign, list[tuple[datetime, float]]], start: datetime, end: datetime,
           top: int) -> list[str]:
    values = [v for points in series.values() for _, v in points]
    low, high = (panel.low, panel.high) if panel.high else (min(values) - 2, max(values) + 2)
    low, high = min(low, min(values)), max(high, max(values))
    span, inner = (end - start).total_seconds(), WIDTH - LEFT - RIGHT

    def x(moment: datetime) -> float:
        return LEFT + inner * (moment - start).total_seconds() / span

    def y(value: float) -> float:
        return top + PANEL_HEIGHT - PANEL_HEIGHT * (value - low) / ((high - low) or 1)

    out = [f'<text x="{LEFT}" y="{top - 6}" font-weight="bold">{escape(panel.title)} ({escape(panel.unit)})</text>',
           f'<rect x="{LEFT}" y="{top}" width="{inner}" height="{PANEL_HEIGHT}" fill="#fafafa" stroke="#ccc"/>']
    for band_low, band_high, colour in panel.bands:
        y1, y2 = y(min(band_high, high)), y(max(band_low, low))
        out.append(f'<rect x="{LEFT}" y="{y1:.1f}" width="{inner}" height="{max(y2 - y1, 0):.1f}" fill="{colour}"/>')
    for tick in (low, (low + high) / 2, high):
        out.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.0f}</text>')
    for moment, anchor in ((start, "start"), (end, "end")):
        out.append(f'<text x="{x(moment):.1f}" y="{top + PANEL_HEIGHT + 14}" text-anchor="{anchor}">'
                   f"{moment:%d %b}</text>")
    for sign, points in series.items():
        colour = COLORS[sign]
        coordinates = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in points)
        out.append(f'<polyline points="{coordinates}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        out.extend(f'<circle cx="{x(m):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"><title>{escape(sign.value)} '
                   f"{Decimal(str(v)).normalize()} at {m:%Y-%m-%d %H:%M}</title></circle>" for m, v in points)
    return out
