"""Step modules (tests/bdd/*.py) hold steps and scenarios only. pytest collects every `test*` function it
finds there, so a step function named `test_…` would also run as a test of its own — asserting nothing."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest
from pytest_bdd import given, scenario
from pytest_bdd.scenario import scenario_wrapper_template_registry

import tests.bdd

STEP_MODULES = sorted(info.name for info in pkgutil.iter_modules(tests.bdd.__path__, "tests.bdd."))


def stray_tests(module: ModuleType) -> list[str]:
    """The `test*` functions of a module that pytest would collect but pytest-bdd did not make."""
    return sorted(name for name, value in vars(module).items()
                  if name.startswith("test") and inspect.isfunction(value)
                  and value not in scenario_wrapper_template_registry)


@pytest.mark.parametrize("name", STEP_MODULES)
def test_a_step_module_defines_no_test_but_its_scenarios(name: str) -> None:
    assert stray_tests(importlib.import_module(name)) == []


def test_a_step_named_like_a_test_is_found_and_a_scenario_is_not() -> None:
    module = ModuleType("tests.bdd.probe")

    @given("the practice's eClinicalWorks sandbox holds 12 patients")
    def test_looks_like_a_test() -> None:
        """A step function pytest would also collect."""

    @scenario("ehr_sync.feature", "The administrator browses eClinicalWorks and imports selected patients")
    def test_a_real_scenario() -> None:
        """Made by pytest-bdd."""

    module.test_looks_like_a_test = test_looks_like_a_test  # type: ignore[attr-defined]
    module.test_a_real_scenario = test_a_real_scenario  # type: ignore[attr-defined]
    assert stray_tests(module) == ["test_looks_like_a_test"]
