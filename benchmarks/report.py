"""Goals, pass/miss verdicts, the rich tables and `bench-results.json`."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from benchmarks.generator import CEILING_MARGIN


@dataclass(frozen=True)
class Goal:
    """`section.key` compared with a limit: at least (>=), below (<) or at most (<=)."""

    section: str
    key: str
    compare: str
    limit: float
    text: str

    def check(self, results: dict[str, Any]) -> bool | None:
        value = results.get(self.section)
        value = value.get(self.key) if isinstance(value, dict) else value
        if not isinstance(value, int | float):
            return None
        ops: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, "<": operator.lt, "<=": operator.le}
        return ops[self.compare](float(value), self.limit)


GOALS = (
    Goal("webhook_ingest", "ratio", ">=", 0.50, "≥ 50 % of baseline"),
    Goal("webhook_ingest", "cpu_ms_per_request", "<=", 1.0, "≤ 1.0 ms"),
    Goal("batch_ingest", "ratio", ">=", 0.25, "≥ 25 % of COPY"),
    Goal("emr_push", "ratio", ">=", 0.90, "≥ 90 % of bound"),
    Goal("emr_push", "worker_cpu_ms_per_push", "<=", 1.5, "≤ 1.5 ms"),
    Goal("emr_push", "tokens_per_1000", "<=", 1.0, "≤ 1 per 1,000"),
    Goal("e2e", "p95_ms", "<", 250.0, "p95 < 250 ms"),
    Goal("e2e_200", "p95_ms", "<", 250.0, "p95 < 250 ms"),
    Goal("e2e_200", "missing", "<=", 0, "none missing"),
    Goal("growth", "ratio", ">=", 0.85, "within 15 % (≥ 85 %)"),
    Goal("rss_mb", "", "<", 150.0, "< 150 MB"),
)


def verdicts(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for goal in GOALS:
        name = f"{goal.section}.{goal.key}" if goal.key else goal.section
        passed = goal.check(results)
        result = "error" if passed is None else "pass" if passed else "miss"
        out[name] = {"goal": goal.text, "pass": passed, "result": result}
    return out


def _fmt(section: dict[str, Any], template: str) -> str:
    if not section:
        return "not run"  # BENCH_ONLY left it out
    try:
        return template.format(**section)
    except (KeyError, ValueError, TypeError):
        return escape(f"error: {section.get('error', 'missing')}")


ROWS = (  # label, section, measured, baseline, goal
    ("wrk ceiling (constant answer)", "generator", "{ceiling_rps:,.0f} req/s · wrk {cpu_share:.0%} of a core",
     "—", None),
    ("Webhook ingest (uvicorn)", "webhook_ingest", "{rps:,.0f} req/s · p50 {p50_ms:.1f} · p99 {p99_ms:.1f} ms",
     "{baseline_rps:,.0f} req/s · p99 {baseline_p99_ms:.1f} ms (bare Litestar+asyncpg)", "webhook_ingest.ratio"),
    ("Batch ingest (sync devices)", "batch_ingest", "{readings_per_s:,.0f} readings/s",
     "{copy_rows_per_s:,.0f} rows/s (COPY into readings)", "batch_ingest.ratio"),
    ("Webhook server CPU", "webhook_ingest", "{cpu_ms_per_request:.2f} ms per request", "—",
     "webhook_ingest.cpu_ms_per_request"),
    ("EMR push (worker → sandbox)", "emr_push", "{per_s:,.1f} pushes/s",
     "{bound_per_s:,.0f}/s ({concurrency} in flight ÷ {latency_ms:.0f} ms)", "emr_push.ratio"),
    ("Worker CPU per push", "emr_push", "{worker_cpu_ms_per_push:.2f} ms", "—", "emr_push.worker_cpu_ms_per_push"),
    ("EMR tokens", "emr_push", "{tokens_per_1000:.2f} per 1,000 pushes", "—", "emr_push.tokens_per_1000"),
    ("End to end webhook → EMR 201", "e2e", "p50 {p50_ms:.0f} · p95 {p95_ms:.0f} ms @ {rate_per_s:.0f}/s", "—",
     "e2e.p95_ms"),
    ("End to end at 200 readings/s", "e2e_200",
     "p50 {p50_ms:.0f} · p95 {p95_ms:.0f} ms @ {rate_per_s:.0f}/s · {missing} missing", "—", "e2e_200.p95_ms"),
    ("Growth (ingest rate)", "growth", "{rate_1m:,.0f} req/s with {rows_large:,} stored",
     "{rate_10k:,.0f} req/s with {rows_small:,} stored", "growth.ratio"),
)
FLAGS = {  # section: the flags (generator.flag_bounded) of its measured and its baseline figure
    "webhook_ingest": ("bounded_by_generator", "baseline_bounded_by_generator"),
    "growth": ("bounded_by_generator_1m", "bounded_by_generator_10k"),
}
BOUNDED = " [bold yellow]· BOUNDED BY wrk[/]"


def _flagged(data: dict[str, Any], section: str, which: int) -> str:
    flags = FLAGS.get(section)
    return BOUNDED if flags and data.get(flags[which]) else ""


def table(results: dict[str, Any]) -> Table:
    checks = verdicts(results)
    out = Table(title="Vantrexia benchmark (PostgreSQL, one run)", show_lines=False)
    for column in ("Figure", "Measured", "Baseline (same run)", "Ratio", "Goal", "Result"):
        out.add_column(column)
    for label, section, measured, baseline, name in ROWS:
        data = results.get(section, {})
        ratio = data.get("ratio") if name and name.endswith(".ratio") else None
        out.add_row(label, _fmt(data, measured) + _flagged(data, section, 0),
                    _fmt(data, baseline) + _flagged(data, section, 1) if baseline != "—" else "—",
                    f"{ratio:.1%}" if isinstance(ratio, float) else "—",
                    checks[name]["goal"] if name else "—", _mark(checks[name]) if name else "—")
    rss = results.get("rss_mb")
    out.add_row("API peak RSS (webhook run)", f"{rss:.0f} MB" if isinstance(rss, float) else "error", "—", "—",
                checks["rss_mb"]["goal"], _mark(checks["rss_mb"]))
    return out


def server_table(server: dict[str, Any]) -> Table:
    out = Table(title="ASGI server, webhook ingest (1 process, 127.0.0.1)")
    for column in ("Server", "App req/s", "App p50 / p99 ms", "Baseline req/s", "Baseline p99 ms", "Ratio", "RSS MB"):
        out.add_column(column)
    for name in ("uvicorn", "granian"):
        s = server.get(name) or {}
        if "rps" not in s:
            out.add_row(name, f"error: {s.get('error', 'missing')}", "", "", "", "", "")
            continue
        out.add_row(name, f"{s['rps']:,.0f}" + (BOUNDED if s.get("bounded_by_generator") else ""),
                    f"{s['p50_ms']:.1f} / {s['p99_ms']:.1f}",
                    f"{s['baseline_rps']:,.0f}" + (BOUNDED if s.get("baseline_bounded_by_generator") else ""),
                    f"{s['baseline_p99_ms']:.1f}", f"{s['ratio']:.1%}", f"{s['rss_mb']:.0f}")
    return out


def _mark(check: dict[str, Any]) -> str:
    return {"pass": "[green]pass[/]", "miss": "[red]MISS[/]"}.get(check["result"], "[yellow]error[/]")


def notes(results: dict[str, Any]) -> list[str]:
    """What a reader needs beside the figures: the load generator's share and the machine's load."""
    out = generator_notes(results)
    webhook = results.get("webhook_ingest", {})
    if "generator_cpu_share" in webhook:
        out.append(f"webhook ingest: wrk used {webhook['generator_cpu_share']:.0%} of a core during the app's run, "
                   f"{webhook['baseline_generator_cpu_share']:.0%} during the baseline's; server CPU per request: app "
                   f"{webhook['cpu_ms_per_request']:.2f} ms, baseline {webhook['baseline_cpu_ms_per_request']:.2f} ms")
    batch = results.get("batch_ingest", {})
    if "plain_copy_rows_per_s" in batch:
        out.append(f"batch ingest: COPY into a table with no key, index or constraint "
                   f"{batch['plain_copy_rows_per_s']:,.0f} rows/s; the sync is "
                   f"{batch['ratio_to_plain_copy']:.1%} of that")
    busy = {name: section["machine_busy_before"] for name, section in results.items()
            if isinstance(section, dict) and "machine_busy_before" in section}
    if busy:
        out.append("machine busy before each scenario (other work skews figures): "
                   + ", ".join(f"{name} {share:.0%}" for name, share in busy.items()))
    for run in results.get("emr_push", {}).get("sweep", []):
        where = f"emr_push, {run['loops']} loop(s), batch {run['batch_size']}"
        out.append(f"{where}: error: {run['error']}" if "error" in run else
                   f"{where}: {run['per_s']:.1f}/s of {run['bound_per_s']:.0f}/s ({run['ratio']:.0%}), "
                   f"{run['worker_cpu_ms_per_push']:.1f} worker CPU ms per push{_sandbox(run)}")
    for name, key in (("emr_push", "worker_cpu_ms_per_push"), ("e2e", "worker_cpu_ms_per_reading"),
                      ("e2e_200", "worker_cpu_ms_per_reading")):
        section = results.get(name, {})
        if key in section:
            sender = f", sender {section['sender_cpu_share']:.0%} of a core" if "sender_cpu_share" in section else ""
            out.append(f"{name}: worker {section[key]:.1f} CPU ms per {key.rsplit('_', 1)[-1]}{_sandbox(section)}, "
                       f"all CPUs {section['machine_busy']:.0%} busy during the run{sender}")
    growth = results.get("growth", {})
    if "wal_kb_per_request_1m" in growth:
        out.append(f"growth: WAL per request {growth['wal_kb_per_request_10k']:.1f} KB with "
                   f"{growth['rows_small']:,} stored, {growth['wal_kb_per_request_1m']:.1f} KB with "
                   f"{growth['rows_large']:,}; server CPU per request {growth['cpu_ms_per_request_10k']:.2f} / "
                   f"{growth['cpu_ms_per_request_1m']:.2f} ms")
    return out


def _sandbox(section: dict[str, Any]) -> str:  # the SMART/FHIR stand-in shares the cores of what it answers
    return f", sandbox {cpu:.1f} CPU ms per create" if (cpu := section.get("sandbox_cpu_ms_per_create")) else ""


ORDER = ("generator", "webhook_ingest", "batch_ingest", "emr_push", "e2e", "e2e_200", "growth", "rss_mb", "server",
         "goals", "meta")


def generator_notes(results: dict[str, Any]) -> list[str]:
    """wrk's ceiling and cost, and which figures it bounded."""
    generator = results.get("generator", {})
    if "ceiling_rps" not in generator:
        return [f"load generator ceiling: error: {generator.get('error', 'missing')}"]
    bounded = generator.get("bounded") or []
    return [f"load generator: {generator['version']} ({generator['threads']} thread, {generator['connections']} "
            f"connections); ceiling {generator['ceiling_rps']:,.0f} req/s against a constant endpoint, wrk at "
            f"{generator['cpu_share']:.0%} of a core; within {CEILING_MARGIN:.0%} of it (bounded by the generator): "
            + (", ".join(bounded) if bounded else "none")]


def publish(results: dict[str, Any], path: Path, console: Console) -> None:
    results["goals"] = verdicts(results)
    ordered = {key: results[key] for key in ORDER if key in results} | results
    path.write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + "\n")
    console.print(table(results))
    for line in notes(results):
        console.print(f"  {line}", markup=False)  # versions and errors may hold [brackets]
    if "server" in results:
        console.print(server_table(results["server"]))
        if results["server"].get("winner"):
            console.print(f"server: [bold]{results['server']['winner']}[/] won the app's webhook ingest by "
                          f"{results['server']['margin']:.1%} req/s")
    console.print(f"wrote {path}")
