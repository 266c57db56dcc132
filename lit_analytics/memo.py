"""A process-wide memo of the pages' query results and figures (no Streamlit: `ui.cache` and `ui.display` use it).

Streamlit's own caches hash every argument with its generic hasher and (`st.cache_data`) unpickle a copy of the
value at every hit: measured on the dashboard, a few milliseconds per call, tens of calls per page run. Here the
key is a plain tuple (the database's `Store.cache_key()`, the function's name, hashable arguments) and a hit is a
dictionary look-up that returns **the stored object itself**: callers treat values as read-only (pandas 3's
copy-on-write keeps `df[col]` and `df.assign(...)` from touching it; never assign into a returned frame in place).

Entries are kept in least-recently-used order, at most `max_entries`; keys carry the data version, so entries of
an older version are never hit again: the caller drops them (`discard`) when it sees a newer version. Two threads asking for the same missing key compute it once
(the second waits for the first), which matters when many sessions rerun after a publication.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class Memo:
    def __init__(self, max_entries: int = 1024):
        self.max_entries = max_entries
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value stored under `key`, computed by `compute()` (once, even when threads ask together)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                self.hits += 1
                return self._values[key]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                if key in self._values:       # computed by the thread we waited for
                    self.hits += 1
                    return self._values[key]
            try:
                value = compute()
                with self._lock:
                    self.misses += 1
                    self._values[key] = value
                    while len(self._values) > self.max_entries:
                        self._values.popitem(last=False)
            finally:
                with self._lock:
                    if self._computing.get(key) is computing:
                        del self._computing[key]
        return value

    def discard(self, stale: Callable[[Hashable], bool]) -> int:
        """Drop the entries whose key is `stale`; returns how many."""
        with self._lock:
            keys = [k for k in self._values if stale(k)]
            for k in keys:
                del self._values[k]
        return len(keys)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
