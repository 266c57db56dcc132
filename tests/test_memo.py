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


def test_the_memo_is_bounded_in_bytes_least_recently_used_first_out():
    memo = Memo(max_bytes=3_000, sizer=len)
    for key in "abc":
        memo.get(key, lambda: "x" * 1_000)
    memo.get("a", lambda: "recalculé")           # a is used again: b is now the oldest
    memo.get("d", lambda: "y" * 1_000)
    assert memo.bytes <= 3_000 and len(memo) == 3 and memo.evictions == 1
    assert memo.get("b", lambda: "recalculé") == "recalculé"
    huge = memo.get("e", lambda: "z" * 10_000)   # larger than the whole bound: returned, not kept
    assert huge == "z" * 10_000 and "e" not in memo._values and memo.bytes <= 3_000


def test_sizes_are_estimated_from_what_the_value_holds():
    import pandas as pd
    from lit_analytics.memo import estimate_size
    small, large = pd.DataFrame({"v": range(10)}), pd.DataFrame({"v": range(100_000)})
    assert estimate_size(large) > 100 * estimate_size(small) > 0
    assert estimate_size(threading.Lock()) > 0     # what cannot be pickled still counts


def test_filters_that_mean_the_same_are_the_same_key():
    from lit_analytics.filters import Filters
    from lit_analytics.ui.cache import _hashable
    shuffled = Filters.from_query_params({"region": "84,53,53", "lab": "siilab,archipel", "du": "2022-T1",
                                          "au": "2021-T1"})
    same = Filters(regions=("53", "84"), labs=("archipel", "siilab"), quarter_from="2021-T1", quarter_to="2022-T1")
    assert shuffled != same and _hashable((shuffled,)) == _hashable((same,))
    assert hash(_hashable((shuffled,))) == hash(_hashable((same,)))


def test_five_hundred_distinct_filter_urls_leave_the_memo_under_its_bound(demo_copy, monkeypatch):
    """Any signed-in user can ask for any filter combination in a URL: each is a new key of the process's memo
    (query results and figures), which stays within its bound in bytes (`LIT_MEMO_MB`) whatever the number of keys."""
    from itertools import product

    from lit_analytics import indicators
    from lit_analytics.filters import Filters
    from lit_analytics.memo import Memo
    from lit_analytics.store import Store
    from lit_analytics.ui import cache

    bound = 256 * 1024
    monkeypatch.setattr(cache, "MEMO", Memo(max_bytes=bound))
    with Store(demo_copy) as store:
        monkeypatch.setattr(cache, "get_store", lambda: store)
        quarters = [f"{y}-T{q}" for y in range(2017, 2027) for q in range(1, 5)]
        urls = [{"du": a, "au": b, "region": "53,84"} for a, b in product(quarters, quarters) if a < b][:500]
        assert len(urls) == 500
        for params in urls:
            cache.query(indicators.activity_over_time, Filters.from_query_params(params))
            assert cache.MEMO.bytes <= bound
        assert cache.MEMO.misses == 500 and cache.MEMO.evictions > 0 and len(cache.MEMO) < 500


def test_an_arrow_table_weighs_its_buffers():
    """The tables pages show are kept as Arrow (what `st.dataframe` sends): the byte bound must see their size."""
    import pyarrow as pa
    from lit_analytics.memo import estimate_size
    table = pa.table({"Laboratoire": ["Laboratoire d'innovation territoriale"] * 20_000, "Projets": list(range(20_000))})
    assert table.nbytes > 500_000
    assert estimate_size(table) >= table.nbytes
    assert estimate_size((table, "x")) >= table.nbytes
