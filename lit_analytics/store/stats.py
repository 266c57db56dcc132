"""What the store measures about itself: snapshot refreshes, how long writes wait for the database, and writes
that gave up (`ConcurrentWriteError`). Plain counters kept per process, without any dependency: the store imports
nothing above `config`, so `lit_analytics.metrics` reads these at scrape time and exports them to Prometheus.

    with stats.waited_for_write(lock, writing) as conn:   # (Store._transaction) times the wait, counts a conflict
        ...
    stats.SNAPSHOT_REFRESHES.observe(seconds)
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from lit_analytics.store.errors import ConcurrentWriteError

# Upper bounds (seconds) of the buckets: a refresh after a sign-in takes milliseconds, a full copy of a large
# database seconds; a write waits at most LIT_LOCK_TIMEOUT (15 s by default).
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0)


class Timings:
    """A histogram of durations: counts per bucket, their sum."""

    def __init__(self, buckets: tuple[float, ...] = BUCKETS):
        self.buckets = buckets
        self._counts = [0] * (len(buckets) + 1)     # the last one: above every bound
        self._sum = 0.0
        self._lock = threading.Lock()

    def observe(self, seconds: float) -> None:
        index = bisect.bisect_left(self.buckets, seconds)
        with self._lock:
            self._counts[index] += 1
            self._sum += seconds

    def read(self) -> tuple[list[tuple[float, int]], float, int]:
        """Cumulative counts per upper bound (the last bound is +inf), the sum and the count."""
        with self._lock:
            counts, total = list(self._counts), self._sum
        cumulative, running = [], 0
        for bound, count in zip((*self.buckets, float("inf")), counts):
            running += count
            cumulative.append((bound, running))
        return cumulative, total, running


class Count:
    def __init__(self):
        self.value = 0
        self._lock = threading.Lock()

    def inc(self) -> None:
        with self._lock:
            self.value += 1


SNAPSHOT_REFRESHES = Timings()   # copies of the database into the in-memory snapshot (after a change)
SNAPSHOT_DEFERRED = Count()      # refreshes put off because a write held or awaited the database (stale reads)
WRITE_WAITS = Timings()          # from asking to write to holding the database (thread lock, file or advisory lock)
WRITE_CONFLICTS = Count()        # writes that gave up after LIT_LOCK_TIMEOUT (ConcurrentWriteError)


@contextmanager
def waited_for_write(*acquisitions: AbstractContextManager) -> Iterator[Any]:
    """Enter `acquisitions` in order (what a write holds) and yield what the last one gives; the time they took is
    a write wait, a `ConcurrentWriteError` while entering them a write conflict."""
    started = time.perf_counter()
    with ExitStack() as stack:
        try:
            held = [stack.enter_context(a) for a in acquisitions]
        except ConcurrentWriteError:
            WRITE_WAITS.observe(time.perf_counter() - started)
            WRITE_CONFLICTS.inc()
            raise
        WRITE_WAITS.observe(time.perf_counter() - started)
        yield held[-1]
