"""Run one call from many threads released at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def all_at_once(count: int, call: Callable[[], T]) -> list[T]:
    """``call()`` from ``count`` threads that start together; their results."""
    start = threading.Barrier(count)
    results: list[T] = []

    def worker() -> None:
        start.wait()
        results.append(call())

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
