"""Display engine: golden values (computed by running AdvEDA's environment) and hand-checked cases."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from ilaeda.data.schema import Schema
from ilaeda.data.sessions import Back, Filter, Group
from ilaeda.eda import ROOT, DisplayEngine, SessionStack, State
from ilaeda.eda import engine as engine_module
from ilaeda.eda.engine import equal_shares_std
from ilaeda.eda.table import EncodedTable

# Appendix B, non-numeric columns of cyber dataset 1: (unique, nulls, entropy).
APPENDIX_B = {
    "eth_dst": (0.000231, 0, 0.034416),
    "eth_src": (0.000231, 0, 0.034416),
    "highest_layer": (0.000347, 0, 0.039079),
    "info_line": (0.942299, 0, 0.98829),
    "ip_dst": (0.427117, 0.000463, 0.850688),
    "ip_src": (0.020824, 0.000463, 0.0867),
    "sniff_timestamp": (0.013645, 0, 0.523395),
}


@pytest.fixture(scope="module")
def cyber1() -> DisplayEngine:
    return DisplayEngine.for_dataset("cyber", 1)


def test_root_display_matches_appendix_b(cyber1: DisplayEngine) -> None:
    display = cyber1.display(ROOT)
    for column, expected in APPENDIX_B.items():
        i = display.columns.index(column)
        got = (display.unique[i], display.nulls[i], display.entropy[i])
        assert got == pytest.approx(expected, abs=1e-6), column
    # packet_number is the schema's histogram column: 8648 distinct evenly spread values
    i = display.columns.index("packet_number")
    assert (display.unique[i], display.nulls[i], display.entropy[i]) == pytest.approx((1, 0, 1), abs=1e-6)
    assert display.granularity is None


def test_group_golden_values(cyber1: DisplayEngine) -> None:
    state = ROOT.with_group(Group("highest_layer", "packet_number", "count"))
    g = cyber1.display(state).granularity
    assert g is not None
    assert g.group_attrs == ("highest_layer",)
    assert dict(g.agg_attrs)["packet_number"] == pytest.approx(0.366726, abs=1e-6)
    assert g.globals == pytest.approx((0.333333, 0.000347, 0.394638), abs=1e-6)
    vector = cyber1.display(state).granularity_vector()
    assert vector[3] == 2.0 and vector[0] == pytest.approx(0.366726, abs=1e-6)
    assert sorted(set(np.delete(vector, [0, 3]))) == [-1.0]


def test_filter_icmp_empties_tcp_columns(cyber1: DisplayEngine) -> None:
    display = cyber1.display(ROOT.with_filter(Filter("highest_layer", "EQ", "ICMP")))
    for column in ("tcp_dstport", "tcp_srcport", "tcp_stream"):
        i = display.columns.index(column)
        assert (display.unique[i], display.nulls[i], display.entropy[i]) == (0.0, 1.0, 0.0)


def _tiny_engine() -> DisplayEngine:
    frame = pd.DataFrame(
        {
            "id": [0, 1, 2, 3, 4, 5],
            "kind": ["a", "a", "b", "b", "b", np.nan],
            "text": ["SYN ack", "SYN", "Echo (ping) reply  id=1", "Echo (ping) reply  id=2", "x", "y"],
            "port": [80.0, 443.0, 80.0, np.nan, 22.0, 80.0],
        }
    )
    frame["kind"] = frame["kind"].astype(object)
    frame["text"] = frame["text"].astype(object)
    schema = Schema("tiny", ("id", "kind", "text", "port"), frozenset({"id"}), "id", frozenset({"text"}), {1: None})  # type: ignore[dict-item]
    return DisplayEngine(EncodedTable.from_frame(schema, frame), "tiny/1")


@pytest.mark.parametrize(
    ("operator", "term", "rows"),
    [
        ("EQ", "80", [0, 2, 5]),
        ("NEQ", "80", [1, 3, 4]),  # missing cells pass NEQ
        ("GT", "80", [1]),
        ("GE", "80", [0, 1, 2, 5]),
        ("LT", "80", [4]),
        ("LE", "80.0", [0, 2, 4, 5]),
        ("CONTAINS", "80", [0, 2, 5]),  # str(80.0) == "80.0"
        ("STARTS_WITH", "4", [1]),
        ("ENDS_WITH", ".0", [0, 1, 2, 4, 5]),
        ("EQ", "not-a-number", []),  # invalid numeric term: empty view
        ("CONTAINS", "a", [3]),  # the missing cell is astype(str)'s "nan", as in the original
        ("STARTS_WITH", "", [0, 1, 2, 3, 4, 5]),
        ("ENDS_WITH", "an", [3]),
    ],
)
def test_numeric_operators(operator: str, term: str, rows: list[int]) -> None:
    engine = _tiny_engine()
    assert engine.view_rows(State((Filter("port", operator, term),))).tolist() == rows


@pytest.mark.parametrize(
    ("operator", "term", "rows"),
    [
        ("EQ", "b", [2, 3, 4]),
        ("NEQ", "b", [0, 1, 5]),
        ("GT", "a", [2, 3, 4]),  # missing cells never pass an ordering
        ("CONTAINS", "a", [0, 1]),
        ("CONTAINS", "", [0, 1, 2, 3, 4]),  # a missing text cell never matches (str.contains(na=False))
    ],
)
def test_text_operators(operator: str, term: str, rows: list[int]) -> None:
    engine = _tiny_engine()
    assert engine.view_rows(State((Filter("kind", operator, term),))).tolist() == rows


def test_filters_chain_and_empty_view() -> None:
    engine = _tiny_engine()
    state = State((Filter("kind", "EQ", "b"), Filter("port", "EQ", "80")))
    assert engine.view_rows(state).tolist() == [2]
    empty = engine.display(State((Filter("kind", "EQ", "zzz"),)))
    assert set(empty.unique) == {0.0} and set(empty.nulls) == {1.0} and set(empty.entropy) == {0.0}


def test_data_layer_hand_computed() -> None:
    display = _tiny_engine().display(ROOT)
    i = display.columns.index("kind")  # a, a, b, b, b, NaN
    assert display.unique[i] == pytest.approx(2 / 5)
    assert display.nulls[i] == pytest.approx(1 / 6)
    p = np.array([3, 2]) / 5
    assert display.entropy[i] == pytest.approx(-(p * np.log(p)).sum() / math.log(5))


@pytest.mark.parametrize(
    ("func", "expected_values"),
    [
        ("count", [2, 3]),  # groups a (2 rows), b (3 rows); the NaN key is dropped
        ("sum", [523.0, 102.0]),
        ("min", [80.0, 22.0]),
        ("max", [443.0, 80.0]),
        ("mean", [261.5, 51.0]),
    ],
)
def test_group_aggregations(func: str, expected_values: list[float]) -> None:
    engine = _tiny_engine()
    state = ROOT.with_group(Group("kind", "port" if func != "count" else "id", func))
    g = engine.display(state).granularity
    assert g is not None
    values = np.asarray(expected_values, dtype=float)
    hist, _ = np.histogram(values, bins=20)
    p = hist[hist > 0] / hist.sum()
    assert dict(g.agg_attrs)["port" if func != "count" else "id"] == pytest.approx(
        -(p * np.log(p)).sum() / math.log(20)
    )
    assert g.inverse_ngroups == pytest.approx(0.5)
    assert g.inverse_size_mean == pytest.approx(2 / 5)
    assert g.site_std == pytest.approx(np.std([2 / 5, 3 / 5]))


def test_group_on_text_min_fails_when_a_group_mixes_strings_and_missing_cells() -> None:
    engine = _tiny_engine()
    # port 80 groups rows 0, 2, 5: a, b, NaN; pandas 1.5.3 cannot compare str with NaN: not grouped
    assert engine.display(ROOT.with_group(Group("port", "kind", "min"))).granularity is None


# Expected values below come from the original A-EDA code (DisplayCalculator.get_groupby_df and
# get_grouping_measures, pandas 1.5.3) on the same six-row frame, through benchmarks/differential_oracle.py's
# environment: /tmp/atena-venv/bin/python with the original benchmark/ package on sys.path.
@pytest.mark.parametrize(
    ("grouping", "column", "func", "score", "globals_"),
    [
        ("kind", "text", "min", 1.0, (0.5, 0.4, 0.09999999999999998)),
        ("port", "text", "max", 0.9999999999999998, (1 / 3, 0.6, 0.18856180831641264)),
        ("text", "port", "mean", 0.31720809887523094, (1 / 6, 1.0, 0.0)),
        ("port", "port", "sum", 0.3667257913420846, (1 / 3, 0.6, 0.18856180831641264)),
        ("kind", "kind", "count", 0.23137821315975918, (0.5, 0.4, 0.09999999999999998)),
        ("id", "id", "count", 0.0, (1 / 6, 1.0, 0.0)),
        ("port", "kind", "sum", 0.9999999999999998, (1 / 3, 0.6, 0.18856180831641264)),
    ],
)
def test_granularity_matches_the_original(
    grouping: str, column: str, func: str, score: float, globals_: tuple[float, float, float]
) -> None:
    g = _tiny_engine().display(ROOT.with_group(Group(grouping, column, func))).granularity
    assert g is not None and g.group_attrs == (grouping,)
    assert dict(g.agg_attrs)[column] == pytest.approx(score, abs=1e-12)
    assert g.globals == pytest.approx(globals_, abs=1e-12)


def test_aggregated_grouping_columns_accumulate() -> None:
    # original: groupby(["kind", "id"]).agg({"id": len}) -> 5 groups of one row (row 5 has no kind)
    state = ROOT.with_group(Group("kind", "id", "count")).with_group(Group("id", "id", "count"))
    g = _tiny_engine().display(state).granularity
    assert g is not None and g.group_attrs == ("kind", "id") and dict(g.agg_attrs) == {"id": 0.0}
    assert g.globals == (0.2, 1.0, 0.0)


@pytest.mark.parametrize("func", ["count", "sum", "min", "max", "mean"])
def test_no_groups_keep_every_aggregation(func: str) -> None:
    # original, empty view: every aggregation succeeds with score 0 and the globals are 0 (even str mean)
    empty = State((Filter("kind", "EQ", "no-such-kind"),))
    g = _tiny_engine().display(empty.with_group(Group("port", "kind", func))).granularity
    assert g is not None and dict(g.agg_attrs) == {"kind": 0.0} and g.globals == (0.0, 0.0, 0.0)


def test_aggregations_keep_their_order_in_tokens() -> None:
    # the original renders agg_attrs in insertion order, so these two displays are two tokens there
    engine = _tiny_engine()
    a = engine.display(ROOT.with_group(Group("kind", "id", "count")).with_group(Group("kind", "port", "sum")))
    b = engine.display(ROOT.with_group(Group("kind", "port", "sum")).with_group(Group("kind", "id", "count")))
    assert a.granularity is not None and b.granularity is not None
    assert dict(a.granularity.agg_attrs) == dict(b.granularity.agg_attrs)
    assert a.token != b.token


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (1, 0.0),
        (348, 8.673617379884035e-19),
        (745, 0.0),
        (1082, 2.168404344971009e-19),
        (5661, 0.0),
        (8648, 1.3552527156068805e-20),
        (13625, 0.0),
    ],
)
def test_equal_shares_std_is_pandas_153_noise(k: int, expected: float) -> None:
    # expected: pd.Series(sizes / sizes.sum()).std(ddof=0) for k equal sizes, pandas 1.5.3 / numpy 1.26.4
    assert equal_shares_std(k) == expected


def test_primary_key_grouping_site_std_is_the_benchmark_noise(cyber1: DisplayEngine) -> None:
    g = cyber1.display(ROOT.with_group(Group("packet_number", "packet_number", "count"))).granularity
    assert g is not None and g.group_attrs == ("packet_number",)
    assert dict(g.agg_attrs) == {"packet_number": 0.0}
    assert g.globals == (1 / 8648, 1.0, 1.3552527156068805e-20)


def test_mean_of_text_is_not_a_grouping() -> None:
    engine = _tiny_engine()
    assert engine.display(ROOT.with_group(Group("port", "kind", "mean"))).granularity is None


def test_group_on_all_missing_column_has_no_groups() -> None:
    engine = _tiny_engine()
    only_missing = State(tuple(Filter("port", "NEQ", v) for v in ("80", "443", "22")))
    assert engine.view_rows(only_missing).tolist() == [3]
    g = engine.display(only_missing.with_group(Group("port", "id", "count"))).granularity
    assert g is not None and g.globals == (0.0, 0.0, 0.0) and dict(g.agg_attrs)["id"] == 0.0


def test_session_stack_back_never_below_root() -> None:
    stack = SessionStack()
    stack.apply(Back())
    assert stack.current == ROOT
    stack.apply(Group("kind", "id", "count"))
    stack.apply(Filter("kind", "EQ", "a"))
    assert stack.depth == 2
    assert stack.current.grouping == ("kind",) and len(stack.current.filters) == 1
    stack.apply(Back())
    stack.apply(Back())
    stack.apply(Back())
    assert stack.current == ROOT


def test_display_tokens_are_canonical(cyber1: DisplayEngine) -> None:
    a = cyber1.display(State((Filter("highest_layer", "EQ", "ICMP"),)))
    b = cyber1.display(State((Filter("highest_layer", "NEQ", "TCP"), Filter("highest_layer", "NEQ", "ARP"))))
    c = cyber1.display(ROOT)
    assert a.token != c.token
    a_rows = cyber1.view_rows(State((Filter("highest_layer", "EQ", "ICMP"),)))
    b_rows = cyber1.view_rows(State((Filter("highest_layer", "NEQ", "TCP"), Filter("highest_layer", "NEQ", "ARP"))))
    assert (a_rows.tolist() == b_rows.tolist()) == (a.token == b.token)
    assert a.vector.dtype == np.float32
    assert len(a.vector) == 4 * 12 + 3


def test_sum_of_text_concatenates_per_group() -> None:
    engine = _tiny_engine()
    # port groups: 22 -> "b", 80 -> "a"+"b" (row 5 missing), 443 -> "a": three distinct strings
    g = engine.display(ROOT.with_group(Group("port", "kind", "sum"))).granularity
    assert g is not None
    assert dict(g.agg_attrs)["kind"] == pytest.approx(1.0)  # 3 distinct values out of 3
    g2 = engine.display(ROOT.with_group(Group("id", "kind", "sum"))).granularity
    # rows 0..5 give a, a, b, b, b and, for row 5 without a string, pandas 1.x's 0: a sixth value of its own
    p = np.array([2, 3, 1]) / 6
    assert g2 is not None and dict(g2.agg_attrs)["kind"] == pytest.approx(-(p * np.log(p)).sum() / math.log(6))
    assert dict(g2.agg_attrs)["kind"] == pytest.approx(0.5644754678724235, abs=1e-12)  # the original's value


# The shortcuts below must give numpy's own results bit for bit (the displays depend on them).
def test_bin_edges_are_numpy_linspace() -> None:
    rng = np.random.default_rng(0)
    bounds = [(0.0, 1.0), (1.0, 13625.0), (-3.5, 2.25), (1e9, 1e9 + 1e-3), (5e-324, 1e-323), (7.0, 7.0)]
    bounds += [tuple(sorted(rng.normal(0, 10.0 ** rng.integers(-3, 9), 2))) for _ in range(200)]
    for first, last in bounds:
        expected = np.linspace(first, last, engine_module.HISTOGRAM_BINS + 1, endpoint=True, dtype=np.float64)
        assert engine_module._bin_edges(first, last).tobytes() == expected.tobytes()


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e3, 1e12])
def test_sorted_histograms_are_numpy_histograms_of_the_repeated_values(scale: float) -> None:
    rng = np.random.default_rng(int(scale * 7) % 1000)
    for size in (1, 2, 3, 25, 400):
        for offset in (0.0, 1e9 * scale, 1e12 * scale):  # large offsets: bins narrow for the values' rounding
            values = np.unique(offset + scale * rng.integers(0, 5000, size).astype(np.float64))
            weights = rng.integers(1, 6, len(values)).astype(np.float64)
            repeated = np.repeat(values, weights.astype(np.int64))
            try:
                expected = np.histogram(repeated, bins=20)[0].astype(np.float64)
            except ValueError:  # numpy refuses a range too narrow for 20 bins: so does the engine
                with pytest.raises(ValueError):
                    engine_module.sorted_histogram_counts(values, weights)
            else:
                assert engine_module.sorted_histogram_counts(values, weights).tobytes() == expected.tobytes()
            entropy = engine_module.sorted_histogram_entropy(values, weights)
            assert repr(entropy) == repr(engine_module.histogram_entropy(repeated))


def test_key_numbering_is_numpy_unique() -> None:
    rng = np.random.default_rng(1)
    for n, n_keys in ((0, 5), (1, 3), (50, 10), (300, 100_000), (5000, 10**9), (3000, 2**40)):  # all paths
        key = rng.integers(0, n_keys, n)
        valid = rng.random(n) < 0.8
        ids, sizes = engine_module._number_keys(key, valid, n_keys)
        _, inverse, counts = np.unique(key[valid], return_inverse=True, return_counts=True)
        assert ids.dtype == np.int64 and sizes.dtype == np.int64
        assert ids[valid].tolist() == inverse.tolist() and (ids[~valid] == -1).all()
        assert sizes.tolist() == counts.tolist()


def test_groups_split_from_a_prefix_grouping_are_the_whole_groupings() -> None:
    rng = np.random.default_rng(2)
    n = 400
    frame = pd.DataFrame(
        {
            "id": np.arange(n),
            "few": rng.choice(np.array(["x", "y", None], dtype=object), n),
            "many": rng.integers(0, 300, n).astype(np.float64),
            "mid": rng.integers(0, 20, n),
        }
    )
    frame.loc[rng.random(n) < 0.1, "many"] = np.nan
    schema = Schema("rand", ("id", "few", "many", "mid"), frozenset({"id"}), "id", frozenset(), {1: None})  # type: ignore[dict-item]
    engine = DisplayEngine(EncodedTable.from_frame(schema, frame), "rand/1")
    view = engine._view(())
    for grouping in [("few", "many"), ("many", "mid"), ("id", "few"), ("mid", "few", "many"), ("few", "mid", "id")]:
        prefix = engine_module._Groups(view.rows, *engine._groups(grouping[:-1], view.rows))
        ids, sizes = engine._split(prefix, grouping[-1])
        whole_ids, whole_sizes = engine._groups(grouping, view.rows)
        assert ids.tolist() == whole_ids.tolist() and sizes.tolist() == whole_sizes.tolist()
        complete = frame[list(grouping)].notna().all(axis=1)
        kept = Counter(map(tuple, frame.loc[complete, list(grouping)].astype(str).to_numpy().tolist()))
        assert sorted(sizes.tolist()) == sorted(kept.values())


def test_group_extremes_and_string_sums_per_group() -> None:
    rng = np.random.default_rng(3)
    for k, n in ((1, 5), (7, 40), (50, 60), (30, 300)):
        ids = rng.integers(0, k, n)
        codes = rng.integers(0, 4, n).astype(np.int32)  # 0 = missing
        present = codes > 0
        for func, pick in (("max", max), ("min", min)):
            expected = [pick(codes[present & (ids == g)]) for g in range(k) if (present & (ids == g)).any()]
            assert engine_module._group_extremes(codes[present], ids[present], k, func).tolist() == expected
        sequences = Counter(tuple(codes[(ids == g) & present].tolist()) for g in range(k))
        counts = engine_module._concatenation_counts(codes, ids, k)
        assert sorted(counts.tolist()) == sorted(sequences.values())


def test_radix_order_is_the_stable_argsort() -> None:
    rng = np.random.default_rng(4)
    for n, n_keys in ((3000, 70_000), (5000, 2**32), (4000, 50)):  # ties, both halves, one half
        key = rng.integers(0, n_keys, n)
        assert engine_module._stable_order(key, n_keys).tolist() == np.argsort(key, kind="stable").tolist()


def test_distinct_counts_are_numpy_unique() -> None:
    rng = np.random.default_rng(5)
    for n, bound in ((0, 10), (1, 10), (500, 300), (6000, 41_257), (2000, 100_000)):  # radix and numpy paths
        values = rng.integers(0, bound, n)
        codes, counts = engine_module._distinct_counts(values, bound)
        expected_codes, expected_counts = np.unique(values, return_counts=True)
        assert codes.dtype == expected_codes.dtype and counts.dtype == expected_counts.dtype
        assert codes.tolist() == expected_codes.tolist() and counts.tolist() == expected_counts.tolist()


def test_groupings_whose_mixed_radix_key_would_overflow_int64() -> None:
    rng = np.random.default_rng(6)
    n, names = 6000, ("a", "b", "c", "d", "e", "f")  # about 6000⁶ > 2⁶⁴ keys
    frame = pd.DataFrame({"id": np.arange(n), **{c: rng.permutation(n) % (n - 1 - i) for i, c in enumerate(names)}})
    schema = Schema("wide", ("id", *names), frozenset({"id"}), "id", frozenset(), {1: None})  # type: ignore[dict-item]
    engine = DisplayEngine(EncodedTable.from_frame(schema, frame), "wide/1")
    ids, sizes = engine._groups(names, engine._view(()).rows)
    codes = np.stack([engine.column(c).codes for c in names])
    order = np.lexsort(codes[::-1])  # rows by their key tuples, first column most significant
    new = np.ones(n, dtype=bool)
    new[1:] = (codes[:, order][:, 1:] != codes[:, order][:, :-1]).any(axis=0)
    expected = np.empty(n, dtype=np.int64)
    expected[order] = np.cumsum(new) - 1
    assert ids.tolist() == expected.tolist()
    assert sizes.tolist() == np.bincount(expected).tolist()
