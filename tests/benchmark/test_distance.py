"""The display distance on hand-built displays; the vectorised form equals the scalar one."""

import random

import numpy as np
import pytest

from ilaeda.benchmark.distance import PackedDisplays, display_distance, distance_matrix
from ilaeda.eda.display import Display, Granularity

COLS = ("a", "b")
D1 = Display(COLS, (0.5, 1.0), (0.0, 0.3), (0.2, 0.0))
D2 = Display(COLS, (0.25, 1.0), (0.9, 0.0), (0.2, 0.5))  # nulls are ignored
G1 = Granularity(("a",), (("b", 0.4),), 0.5, 0.01, 0.1)
G2 = Granularity(("a",), (("b", 0.2),), 0.5, 0.02, 0.0)
D3 = Display(COLS, D1.unique, D1.nulls, D1.entropy, G1)
D4 = Display(COLS, D1.unique, D1.nulls, D1.entropy, G2)
D5 = Display(COLS, D2.unique, D2.nulls, D2.entropy, G1)

DATA_12 = 2 * 0.75 / (4 + 0.75)  # raw = (1/2 − 0.25/1) + (1/2 − 0) = 0.75


@pytest.mark.parametrize(
    "x, y, expected",
    [
        (D1, D1, 0.0),
        (D1, D2, 1.5 * DATA_12 / 2),
        (D1, D3, 0.5),  # same data, one grouped → granularity 1
        # same data: d_b = 1 − 0.2/0.4; cgd = 0.5, normed = 1/4.5; meta = (1/3 − 1/6) + 1/3
        (D3, D4, (1 / 4.5 + 0.5) / 2 / 2),
        # different data: d_b = 1 although the scores are equal; normed = 2/5, meta = 0
        (D3, D5, (1.5 * DATA_12 + 0.2) / 2),
    ],
)
def test_worked_examples(x, y, expected):
    assert display_distance(x, y) == pytest.approx(expected, abs=1e-12)
    assert display_distance(y, x) == pytest.approx(expected, abs=1e-12)
    assert distance_matrix(PackedDisplays.pack([x]), PackedDisplays.pack([y]))[0, 0] == pytest.approx(
        expected, abs=1e-12
    )


def test_symmetric_differences_of_group_and_aggregated_columns():
    ga = Display(COLS, D1.unique, D1.nulls, D1.entropy, Granularity(("a",), (("b", 0.0),), 1.0, 1.0, 0.0))
    gb = Display(COLS, D1.unique, D1.nulls, D1.entropy, Granularity(("b",), (("a", 0.0),), 1.0, 1.0, 0.0))
    # GD = {a, b}, AD = {a, b}: cgd = 2; normed = 4 / (2 + 2 + 2)
    assert display_distance(ga, gb) == pytest.approx((2 / 3) / 2 / 2)


def _random_display(rng: random.Random, k: int) -> Display:
    pick = [0.0, 0.1, 0.5, 1.0]
    cols = tuple(f"c{i}" for i in range(k))
    unique = tuple(rng.choice(pick) for _ in cols)
    entropy = tuple(rng.choice(pick) for _ in cols)
    gran = None
    if rng.random() < 0.6:
        group = tuple(c for c in cols if rng.random() < 0.3) or (cols[0],)
        aggs = tuple((c, rng.choice(pick)) for c in cols if c not in group and rng.random() < 0.4)
        gran = Granularity(group, aggs, rng.choice(pick), rng.choice(pick), rng.choice(pick))
    return Display(cols, unique, (0.0,) * k, entropy, gran)


def test_vectorised_equals_scalar():
    rng = random.Random(3)
    displays = [_random_display(rng, 4) for _ in range(60)]
    packed = PackedDisplays.pack(displays)
    matrix = distance_matrix(packed, packed)
    expected = np.array([[display_distance(x, y) for y in displays] for x in displays])
    np.testing.assert_allclose(matrix, expected, atol=1e-12)
    assert np.all(np.diag(matrix) == 0)


def test_pack_rejects_mixed_columns():
    with pytest.raises(ValueError):
        PackedDisplays.pack([D1, Display(("x", "y"), (0, 0), (0, 0), (0, 0))])
    with pytest.raises(ValueError):
        PackedDisplays.pack([])
