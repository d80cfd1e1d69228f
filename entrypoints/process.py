"""Runtime settings every `vantrexia` process applies once its start-up is done (API, worker, CLI commands)."""

from __future__ import annotations

import gc

GC_YOUNG_THRESHOLD = 10_000  # allocations between young collections (CPython's default is 700)


def settle_after_startup() -> None:
    """What start-up made (modules, the container, the app) lives as long as the process: frozen, the
    collector stops walking it on every full collection; and young collections run less often, as a
    request, a send or a page allocates many short-lived objects that reference counting frees by itself.
    Once per process: a later call (tests build many containers in one process) changes nothing."""
    if gc.get_freeze_count():
        return
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
