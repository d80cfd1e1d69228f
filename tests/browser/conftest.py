"""Browser tests: Playwright for Python (the sync API) driving the machine's Chromium, never a downloaded one.

Chromium is /usr/bin/chromium, `chromium` on PATH, or VANTREXIA_CHROMIUM. Without it (or without the
playwright package) these tests skip with the reason; under CI=true they fail instead. Fixtures:
`console` (a live server on the World's fakes), `page` (a desktop page, CSP enforced; console errors about
CSP fail the test), `phone` (390x844), `axe_page` (CSP bypassed so the tests can inject axe-core). A failed
test leaves a screenshot of each of its pages under test-output/browser/.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium
from tests.browser.chromium import chromium_path
from tests.browser.support import Console, sign_in_as_new_user
from tests.support.app import build_app
from tests.support.live import live_server
from tests.support.world import World

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "browser"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

try:
    from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
except ImportError:  # the dev extras were not installed: every test here skips (fails under CI=true)
    sync_playwright = None  # type: ignore[assignment]


def _unavailable(reason: str) -> None:
    message = f"browser tests need {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def browser() -> Browser:
    """The process's Chromium (tests/browser/chromium.py keeps it between browser tests)."""
    if sync_playwright is None:
        _unavailable("the playwright package (pip install -e '.[dev]')")
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium: apt-get install chromium, or set VANTREXIA_CHROMIUM to its path")
    return chromium.browser(executable)


@pytest.fixture
def console(world: World) -> Iterator[Console]:
    with live_server(build_app(world)) as url:
        yield Console(url, world)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed:
        item.stash.setdefault(_FAILED, True)
    return report


_FAILED = pytest.StashKey[bool]()


@contextmanager
def _opened(browser: Browser, request: pytest.FixtureRequest, watch_csp: bool = True,
            **options: Any) -> Iterator[Page]:
    """A fresh context and page; on failure a screenshot of every page of the context is kept."""
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    refused: list[str] = []
    try:
        opened = context.new_page()
        if watch_csp:
            opened.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        yield opened
        if request.node.stash.get(_FAILED, False):
            _screenshots(context, request.node.nodeid)
    finally:
        context.close()
    assert refused == [], f"the page broke its Content-Security-Policy: {refused}"


def _screenshots(context: BrowserContext, nodeid: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)
    for number, opened in enumerate(context.pages):
        opened.screenshot(path=str(SCREENSHOTS / f"{name}-{number}.png"), full_page=True)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    with _opened(browser, request, viewport=DESKTOP) as opened:
        yield opened


@pytest.fixture
def phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    with _opened(browser, request, viewport=PHONE, is_mobile=True, has_touch=True) as opened:
        yield opened


@pytest.fixture
def axe_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    with _opened(browser, request, watch_csp=False, viewport=DESKTOP, bypass_csp=True) as opened:
        yield opened


@pytest.fixture
def signed_in(console: Console) -> Callable[..., str]:
    """`signed_in(page, role=Role.ADMIN, practice="north")`: a new user signed in on `page` by the form."""
    return functools.partial(sign_in_as_new_user, console=console)
