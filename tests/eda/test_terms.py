"""Term candidates and frequency bins."""

from __future__ import annotations

import numpy as np
import pytest

from ilaeda.data.sessions import Filter
from ilaeda.eda import ROOT, DisplayEngine
from ilaeda.eda.table import text_tokens
from ilaeda.eda.terms import BIN_EDGES, N_BINS, position_bin, value_candidates


def test_bins() -> None:
    assert N_BINS == 26 and len(BIN_EDGES) == 27
    assert position_bin(0.0) == 0
    assert position_bin(1.0) == 25
    assert position_bin(0.5) == 20
    assert position_bin(0.04) == 10


def test_value_candidates_sorted_by_count_then_first_appearance() -> None:
    codes = np.array([2, 1, 2, 3, 3, 0, 2])  # value 1 once, 3 twice, 2 three times; 0 missing
    c = value_candidates(codes, ["a", "b", "c"], 3)
    assert c.terms == ("a", "c", "b")
    assert c.positions.tolist() == pytest.approx([1 / 6, 3 / 6, 1.0])
    rng = np.random.default_rng(0)
    assert c.choose(25, rng) == "b"  # most frequent value for the top bin
    assert c.choose(0, rng) == "a"  # rarest for the bottom bin


def test_text_tokens() -> None:
    tokens = text_tokens("Echo (ping) reply    id=0x0001, seq=1/256, ttl=64")
    assert {"Echo", "(ping)", "reply", "Echo (ping) reply", "id=0x0001", "seq=1/256"} <= tokens
    assert {"[SYN, ACK]", "SYN, ACK", "SYN", "ACK"} <= text_tokens("80 > 3 [SYN, ACK] Seq=0")


def test_token_candidates_reach_expert_terms() -> None:
    engine = DisplayEngine.for_dataset("cyber", 1)
    c = engine.term_candidates((), "info_line", "CONTAINS")
    assert c.tokens
    for term in ("Echo (ping) reply", "reply", "SYN"):
        position = c.position_of(term)
        assert position is not None and 0 < position <= 1
        rows = engine.view_rows(ROOT.with_filter(Filter("info_line", "CONTAINS", term)))
        assert position == pytest.approx(len(rows) / 8648)


def test_candidates_depend_on_the_view() -> None:
    engine = DisplayEngine.for_dataset("cyber", 1)
    icmp = (Filter("highest_layer", "EQ", "ICMP"),)
    assert engine.term_candidates(icmp, "highest_layer", "EQ").terms == ("ICMP",)
    assert len(engine.term_candidates((), "highest_layer", "EQ").terms) == 3
