"""The command line's modules form no import cycle: subcommands share helpers through entrypoints.cli.common,
and only entrypoints.cli.main (which assembles them) imports the subcommands. Imports inside functions count."""

from __future__ import annotations

import grimp
import pytest

CLI = "entrypoints.cli"
MAIN = f"{CLI}.main"


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("entrypoints", cache_dir=None)


def test_no_cli_module_imports_the_module_that_assembles_them(graph: grimp.ImportGraph) -> None:
    others = graph.find_descendants(CLI) - {MAIN}
    importers = sorted(m for m in others if graph.chain_exists(importer=m, imported=MAIN))
    assert importers == [f"{CLI}.__main__"]


def test_the_cli_package_has_no_import_cycle(graph: grimp.ImportGraph) -> None:
    modules = sorted(graph.find_descendants(CLI))
    cycles = [(a, b) for a in modules for b in modules
              if a < b and graph.chain_exists(importer=a, imported=b) and graph.chain_exists(importer=b, imported=a)]
    assert cycles == []
