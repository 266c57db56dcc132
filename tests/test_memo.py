"""The process-wide memo of query results and figures (`lit_analytics.memo`)."""

import threading
import time

import pytest

from lit_analytics.memo import Memo


def test_a_value_is_computed_once_and_the_same_object_is_returned():
    memo, calls = Memo(), []
    first = memo.get("k", lambda: calls.append(1) or ["valeur"])
    assert memo.get("k", lambda: calls.append(1) or ["autre"]) is first
    assert calls == [1] and (memo.hits, memo.misses) == (1, 1)


def test_threads_asking_together_compute_once():
    memo, calls, results = Memo(), [], []
    start = threading.Barrier(8)

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return object()

    def ask():
        start.wait()
        results.append(memo.get("k", slow))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(results) == 8 and all(r is results[0] for r in results)


def test_least_recently_used_entries_go_first():
    memo = Memo(max_entries=2)
    memo.get("a", lambda: 1)
    memo.get("b", lambda: 2)
    memo.get("a", lambda: 0)          # a is used again: b is now the oldest
    memo.get("c", lambda: 3)
    assert len(memo) == 2
    assert memo.get("a", lambda: "recalculé") == 1
    assert memo.get("b", lambda: "recalculé") == "recalculé"


def test_a_failed_computation_is_not_kept():
    memo = Memo()
    with pytest.raises(ZeroDivisionError):
        memo.get("k", lambda: 1 / 0)
    assert memo.get("k", lambda: 42) == 42


def test_discard_drops_the_entries_it_is_told_are_stale():
    memo = Memo()
    for version in (1, 2):
        memo.get((version, "graphique"), lambda: version)
    assert memo.discard(lambda key: key[0] != 2) == 1
    assert len(memo) == 1 and memo.get((2, "graphique"), lambda: "recalculé") == 2
