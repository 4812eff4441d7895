"""The report's headline: both random floors (with STOP, and 12 actions without STOP) and the degenerate shares."""

from __future__ import annotations

from ilaeda.report.headline import FAIR_RANDOM_LABEL, RANDOM_LABEL, headline, random_agent_scores


def test_the_headline_shows_both_random_floors_and_the_degenerate_shares() -> None:
    result = {"split": "cyber_loo1", "benchmark": {"length": {"mean": 12.0, "std": 0.0, "n": 2}}}
    table = headline(result, "cyber", [1]).set_index("metric")
    assert {RANDOM_LABEL, FAIR_RANDOM_LABEL} <= set(table.columns)
    assert {"group on key", "empty view", "repeated action", "back@root"} <= set(table.index)
    assert table.loc["length", FAIR_RANDOM_LABEL] == "12.0 ± 0.0"
    fair = random_agent_scores("cyber", [1], stop=False)
    short = random_agent_scores("cyber", [1])
    assert short["length"]["mean"] < fair["length"]["mean"] == 12.0
    # the fair floor is the higher bar on T-BLEU: the brevity penalty crushes the short sessions
    assert fair["t_bleu_2"]["mean"] > short["t_bleu_2"]["mean"]
    assert table.loc["T-BLEU-2", FAIR_RANDOM_LABEL].startswith(f"{fair['t_bleu_2']['mean']:.3f}")
    assert 0.0 < fair["group_on_key"]["mean"] < 1.0 and 0.0 < fair["empty_view"]["mean"] < 1.0
