"""One Chromium per test process, started by the first browser test and stopped before any other test.

Playwright's sync API marks the main thread's event loop as running while it is started, which the
asyncio tests cannot share: tests/conftest.py runs the browser tests last and calls `shutdown()`
before a test from elsewhere (so any order, with or without xdist, stays correct).
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

_state: dict[str, object] = {}


def chromium_path() -> str | None:
    """VANTREXIA_CHROMIUM when set (and only it), else /usr/bin/chromium or `chromium` on PATH (Debian's
    package); None when there is no such executable."""
    named = os.environ.get("VANTREXIA_CHROMIUM")
    candidates = [named] if named else ["/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def browser(executable: str) -> Browser:
    """The process's Chromium, launched on first use."""
    from playwright.sync_api import sync_playwright

    if "browser" not in _state:
        playwright = sync_playwright().start()
        _state["playwright"] = playwright
        _state["browser"] = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
    launched: Browser = _state["browser"]  # type: ignore[assignment]
    return launched


def shutdown() -> None:
    """Close Chromium and stop Playwright (their event loop) if they run."""
    launched = _state.pop("browser", None)
    playwright: Playwright | None = _state.pop("playwright", None)  # type: ignore[assignment]
    if launched is not None:
        launched.close()  # type: ignore[attr-defined]
    if playwright is not None:
        playwright.stop()
