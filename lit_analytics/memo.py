"""A process-wide memo of the pages' query results and figures (no Streamlit: `ui.cache` and `ui.display` use it).

Streamlit's own caches hash every argument with its generic hasher and (`st.cache_data`) unpickle a copy of the
value at every hit: measured on the dashboard, a few milliseconds per call, tens of calls per page run. Here the
key is a plain tuple (the database's `Store.cache_key()`, the function's name, hashable arguments) and a hit is a
dictionary look-up that returns **the stored object itself**: callers treat values as read-only (pandas 3's
copy-on-write keeps `df[col]` and `df.assign(...)` from touching it; never assign into a returned frame in place).

Entries are kept in least-recently-used order, within `max_bytes` (the estimated size of the values: a map figure
weighs ~2.5 MB, and every distinct filter combination a URL asks for is an entry, so a count of entries bounds
nothing) and, optionally, `max_entries`; a value larger than the whole bound is returned but not kept. Keys carry the
data version, so entries of an older version are never hit again: the caller drops them (`discard`) when it sees a
newer version. Two threads asking for the same missing key compute it once
(the second waits for the first), which matters when many sessions rerun after a publication.
"""

from __future__ import annotations

import sys
import threading
import types
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


_ATOMS = (str, bytes, int, float, bool, complex, type(None))
_SKIP = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)


def estimate_size(value: Any, limit: int = 2_000_000) -> int:
    """Bytes a value holds in memory, walked deeply (`sys.getsizeof` of every object reached once; a pandas object
    counts its `memory_usage(deep=True)`, a numpy array its buffer). Python's containers weigh several times their
    serialised size (a float in a dict is 24 bytes plus its slot), so the walk, not a pickle, is what bounds the
    process's memory. Stops after `limit` objects (a figure of the map is ~100 000)."""
    seen: set[int] = set()
    stack = [value]
    total = 0
    while stack and len(seen) < limit:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _SKIP):
            continue
        seen.add(id(obj))
        if hasattr(obj, "memory_usage") and hasattr(obj, "dtypes"):        # pandas DataFrame or Series
            usage = obj.memory_usage(deep=True)
            total += int(usage.sum()) if hasattr(usage, "sum") else int(usage)
            continue
        if hasattr(obj, "nbytes") and (hasattr(obj, "dtype") or hasattr(obj, "schema")):   # numpy array, Arrow table
            total += int(obj.nbytes) + 112
            continue
        try:
            total += sys.getsizeof(obj)
        except TypeError:
            continue
        if isinstance(obj, _ATOMS):
            continue
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        else:
            attributes = getattr(obj, "__dict__", None)
            if attributes is not None:
                stack.append(attributes)
            for slot in getattr(type(obj), "__slots__", ()):
                if hasattr(obj, slot):
                    stack.append(getattr(obj, slot))
    return total


class Memo:
    def __init__(self, max_entries: int | None = None, max_bytes: int | None = None,
                 sizer: Callable[[Any], int] = estimate_size):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._sizer = sizer
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self.bytes = 0
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self.hits = self.misses = self.evictions = 0

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
                size = self._sizer(value) if self.max_bytes is not None else 0
                with self._lock:
                    self.misses += 1
                    if self.max_bytes is None or size <= self.max_bytes:
                        self._values[key] = value
                        self._sizes[key] = size
                        self.bytes += size
                        self._evict()
            finally:
                with self._lock:
                    if self._computing.get(key) is computing:
                        del self._computing[key]
        return value

    def _evict(self) -> None:
        """Drop the least recently used entries until within the bounds (under the lock)."""
        while self._values and ((self.max_entries is not None and len(self._values) > self.max_entries)
                                or (self.max_bytes is not None and self.bytes > self.max_bytes)):
            key, _ = self._values.popitem(last=False)
            self.bytes -= self._sizes.pop(key, 0)
            self.evictions += 1

    def discard(self, stale: Callable[[Hashable], bool]) -> int:
        """Drop the entries whose key is `stale`; returns how many."""
        with self._lock:
            keys = [k for k in self._values if stale(k)]
            for k in keys:
                del self._values[k]
                self.bytes -= self._sizes.pop(k, 0)
        return len(keys)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._sizes.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._values)
