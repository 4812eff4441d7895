"""Coherence penalty (golden sequence computed by running AdvEDA's environment)."""

from __future__ import annotations

from ilaeda.data.sessions import Back, Filter, Group
from ilaeda.eda.coherence import alternation_length, coherence_penalty

G1 = Group("highest_layer", "packet_number", "count")
G2 = Group("ip_src", "length", "sum")


def test_alternation_length() -> None:
    g3 = Group("eth_src", "packet_number", "count")
    assert alternation_length([G1, Back(), G2, Back()]) == 2
    assert alternation_length([G1, g3, Back(), G2, Back()]) == 2
    assert alternation_length([G1, Back()]) == 1
    assert alternation_length([G1]) == 0


def test_first_back_at_root_is_penalised() -> None:
    assert coherence_penalty([Back()], was_at_root=True) == -1.0
    assert coherence_penalty([G1], was_at_root=True) == 0.0


def test_repeated_filter() -> None:
    f = Filter("ip_src", "EQ", "1.2.3.4")
    assert coherence_penalty([f, f], was_at_root=False) == -1.0
    assert coherence_penalty([f, Filter("ip_src", "EQ", "1.2.3.5")], was_at_root=False) == 0.0
    assert coherence_penalty([G1, Back(), G2, Back()], was_at_root=False) == -2.0
