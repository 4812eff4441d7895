"""The metric registry: every metric of the contract is computed by ilaeda.benchmark, and the lists that
tables, the tuning objective, plots and reports use are views of it.
"""

from __future__ import annotations

import re

from ilaeda import contract
from ilaeda.benchmark import METRIC_FUNCTIONS, score_sessions
from ilaeda.data.sessions import Filter, Group, Stop


def test_every_registered_metric_has_functions_and_every_function_is_registered() -> None:
    assert set(METRIC_FUNCTIONS) == set(contract.METRIC_REGISTRY)


def test_the_name_lists_are_views_of_the_registry() -> None:
    registry = contract.METRIC_REGISTRY.values()
    assert contract.METRICS == tuple(m.name for m in registry if m.benchmark)
    assert contract.EXTRA_METRICS == tuple(m.name for m in registry if not m.benchmark)
    assert contract.METRIC_LABELS == {m.name: m.label for m in registry}
    assert contract.HEADLINE_METRICS == tuple(m.name for m in registry if m.headline) == ("t_bleu_2", "eda_sim")


def test_the_headline_pair_drives_the_tuning_objective_plots_and_curves() -> None:
    from ilaeda.analysis.curves import DEFAULT_CURVE_KEYS
    from ilaeda.analysis.robust import COMBINED_OF
    from ilaeda.tuning.options import DEFAULTS

    assert COMBINED_OF == contract.HEADLINE_METRICS
    assert DEFAULTS["objective"] == {m: 1 / len(contract.HEADLINE_METRICS) for m in contract.HEADLINE_METRICS}
    for metric in contract.HEADLINE_METRICS:
        assert any(re.match(k, f"train_eval/stochastic/{metric}") for k in DEFAULT_CURVE_KEYS)


def test_scores_carry_every_registered_metric() -> None:
    session = [Group("ip_src", "", "count"), Filter("eth_src", "EQ", "x"), Stop()]
    result = score_sessions([session], "cyber", 1, with_interestingness=False)
    assert list(result.sessions[0]) == ["name", *contract.EXTRA_METRICS, *contract.METRICS]
    assert [k for k in result.corpus if k in contract.METRIC_REGISTRY] == list(contract.METRIC_ORDER)
    assert result.corpus["length"] == result.sessions[0]["length"] == 2
