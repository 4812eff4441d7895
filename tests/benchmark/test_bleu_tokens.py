"""Tree paths and NLTK-equivalent corpus BLEU (expected values computed with NLTK 3.10)."""

import math

import pytest

from ilaeda.benchmark.bleu import BleuStats, brevity_penalty, closest_ref_length, corpus_bleu
from ilaeda.benchmark.tokens import BACK_TOKEN, tree_paths

B = BACK_TOKEN


def test_tree_paths_follow_the_stack():
    tokens = ["r", "a", B, "b", "c", B, B, "d"]
    assert tree_paths(tokens, 1) == [("r",), ("a",), ("b",), ("c",), ("d",)]
    assert tree_paths(tokens, 2) == [("r", "a"), ("r", "b"), ("b", "c"), ("r", "d")]
    assert tree_paths(tokens, 3) == [("r", "b", "c")]


def test_back_at_root_pops_the_root_off_the_path_stack():
    tokens = ["r", B, "a", "b"]
    assert tree_paths(tokens, 2) == [("a", "b")]
    assert tree_paths(["r"] + [B] * 12, 1) == [("r",)]
    assert tree_paths(["r"] + [B] * 12, 2) == []


def test_tree_paths_reject_order_zero():
    with pytest.raises(ValueError):
        tree_paths(["r"], 0)


@pytest.mark.parametrize(
    "n, expected", [(1, 0.8181818181818182), (2, 0.7385489458759964), (3, 0.6780163584433448), (4, 0.5942170746468833)]
)
def test_corpus_bleu_matches_nltk_method1(n, expected):
    refs = [[list("abcdefg"), list("abxdeh")], [list("hello"), list("yellow")]]
    hyps = [list("abcdxx"), list("hellp")]
    assert corpus_bleu(refs, hyps, n) == pytest.approx(expected, abs=1e-15)


def test_zero_unigram_numerator_scores_zero_and_method1_smooths_higher_orders():
    assert corpus_bleu([[list("abcdefghijklm")]], [list("zzz")], 1) == 0.0
    assert corpus_bleu([[list("abcdefghijklm")]], [list("azz")], 2) == pytest.approx(0.0046054927375540925)


def test_closest_reference_length_breaks_ties_towards_the_shorter():
    assert closest_ref_length([2, 4], 3) == 2
    assert corpus_bleu([[list("ab"), list("abcd")]], [list("abc")], 1) == 1.0


def test_brevity_penalty():
    assert brevity_penalty(13, 14) == 1.0
    assert brevity_penalty(13, 13) == 1.0
    assert brevity_penalty(13, 0) == 0.0
    assert brevity_penalty(13, 1) == pytest.approx(math.exp(-12))


def test_stats_sum_over_instances():
    a, b = BleuStats(2), BleuStats(2)
    a.add([1, 0], [1, 1], 1, 13)
    b.add([3, 2], [3, 2], 3, 13)
    a.merge(b)
    assert (a.numerators, a.denominators, a.hyp_len, a.ref_len) == ([4, 2], [4, 3], 4, 26)
    assert a.score(2) == pytest.approx(math.exp(1 - 26 / 4) * math.sqrt(1 * 2 / 3))
    with pytest.raises(ValueError):
        a.score(3)
