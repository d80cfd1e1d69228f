"""`make bench`'s load generator: wrk or a stop that says how to install it, and the flag on any
figure within 20 % of wrk's own ceiling. None of these runs wrk."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from benchmarks import __main__ as bench_main
from benchmarks.generator import MissingGenerator, flag_bounded
from benchmarks.load_wrk import run_measured
from benchmarks.loadgen import replay
from benchmarks.report import table


@pytest.fixture
def no_wrk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.usefixtures("no_wrk")
def test_without_wrk_the_benchmark_stops_before_measuring_and_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    started: list[bool] = []

    async def measure(_: Console) -> dict[str, Any]:
        started.append(True)
        return {}

    monkeypatch.setattr(bench_main, "main", measure)
    code = bench_main.run()
    assert code == 2
    assert started == []
    assert "apt-get install wrk" in capsys.readouterr().err


@pytest.mark.usefixtures("no_wrk")
def test_without_wrk_a_replay_fails_instead_of_using_another_generator(tmp_path: Path) -> None:
    with pytest.raises(MissingGenerator, match="apt-get install wrk"):
        replay(9, [b"GET / HTTP/1.1\r\n\r\n"], seconds=0.1, connections=1, workdir=tmp_path)


def _results(ceiling: Any) -> dict[str, Any]:
    return {
        "generator": {"ceiling_rps": ceiling} if ceiling is not None else {"error": "TimeoutError: wrk"},
        "webhook_ingest": {"rps": 300.0, "baseline_rps": 8_000.0, "p50_ms": 50.0, "p99_ms": 90.0,
                           "baseline_p99_ms": 9.0},
        "server": {"uvicorn": {"rps": 300.0, "baseline_rps": 8_000.0},
                   "granian": {"rps": 290.0, "baseline_rps": 7_999.0}},
        "growth": {"rate_10k": 8_100.0, "rate_1m": 250.0, "rows_small": 10_000, "rows_large": 1_000_000},
    }


def test_figures_within_20_percent_of_the_ceiling_are_flagged_as_bounded_by_the_generator() -> None:
    results = _results(10_000.0)
    flagged = flag_bounded(results)
    assert flagged == ["webhook_ingest.baseline_rps", "server.uvicorn.baseline_rps", "growth.rate_10k"]
    assert results["generator"]["bounded"] == flagged
    webhook, granian, growth = results["webhook_ingest"], results["server"]["granian"], results["growth"]
    assert (webhook["baseline_bounded_by_generator"], webhook["bounded_by_generator"]) == (True, False)
    assert (granian["baseline_bounded_by_generator"], granian["bounded_by_generator"]) == (False, False)
    assert (growth["bounded_by_generator_10k"], growth["bounded_by_generator_1m"]) == (True, False)


def test_without_a_ceiling_no_figure_is_said_to_be_bounded_or_not() -> None:
    results = _results(None)
    assert flag_bounded(results) == []
    assert results["webhook_ingest"]["baseline_bounded_by_generator"] is None


@pytest.mark.parametrize(("ceiling", "marks"), [(10_000.0, 2), (100_000.0, 0)])
def test_the_table_marks_each_bounded_figure(ceiling: float, marks: int) -> None:
    results = _results(ceiling)
    flag_bounded(results)
    console = Console(record=True, width=400)
    console.print(table(results))
    assert console.export_text().count("BOUNDED BY wrk") == marks  # the webhook baseline and growth at 10 k


def test_the_generator_cost_is_its_own_cpu_time_not_its_wall_time() -> None:
    busy = "import time\nstart = time.process_time()\nwhile time.process_time() - start < 0.25: pass"
    _, busy_cpu, _ = run_measured([sys.executable, "-I", "-S", "-c", busy], timeout=20)
    _, idle_cpu, idle_wall = run_measured([sys.executable, "-I", "-S", "-c", "import time; time.sleep(0.25)"],
                                          timeout=20)
    assert busy_cpu >= 0.25
    assert idle_wall >= 0.25
    assert idle_cpu < 0.15


def test_a_generator_that_fails_says_so_with_its_output() -> None:
    with pytest.raises(RuntimeError, match="exited with 3:\nboom"):
        run_measured([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"], timeout=20)
