"""Behaviour of the Sacred runs is unchanged by the EnvOptions refactoring: the fast BC, GAIL and DAgger configs
give, for seed 0, the metric means measured on the main checkout before it (a regression pin of measured
outputs, not a hand-written result).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch as th

from ilaeda.scripts.train_adversarial import train_adversarial_ex
from ilaeda.scripts.train_imitation import train_imitation_ex

BENCH = Path(__file__).resolve().parents[2] / "benchmarking"
EXPERIMENTS = {"bc": train_imitation_ex, "gail": train_adversarial_ex, "dagger": train_imitation_ex}

# Measured at commit a9f9d6a (main, before EnvOptions) with, for each algo in bc, gail, dagger:
#   <experiment>.run(command_name=algo, named_configs=["benchmarking/fast_<algo>_cyber_loo1.json"],
#                    config_updates={"seed": 0, "logging": {"log_root": <tmp>, "log_format_strs": ["csv"]}})
# in one process with torch.set_num_threads(1), OMP_NUM_THREADS=1, ILAEDA_DATA_DIR=/work/shared/data; the
# means of result["benchmark"], result["benchmark_deterministic"] and result["interestingness"].
EXPECTED: dict[str, dict[str, dict[str, float]]] = {
    "bc": {
        "benchmark": {
            "back_at_root": 0.0,
            "eda_sim": 0.18070275675532876,
            "length": 2.5,
            "precision": 0.6,
            "t_bleu_1": 0.025953340765726477,
            "t_bleu_2": 0.008990408242953728,
            "t_bleu_3": 0.006801556191904249,
        },
        "benchmark_deterministic": {
            "back_at_root": 0.0,
            "eda_sim": 0.1505133667464006,
            "length": 12.0,
            "precision": 0.6666666666666666,
            "t_bleu_1": 0.15384615384615385,
            "t_bleu_2": 0.11322770341445958,
            "t_bleu_3": 0.048846963399235346,
        },
        "interestingness": {
            "coherence_penalty": 0.0,
            "diversity": 0.10894489699850948,
            "filter_exceptionality": 0.0,
            "group_compaction": 0.08376421923474664,
            "group_conciseness": 0.08376421923474664,
        },
    },
    "gail": {
        "benchmark": {
            "back_at_root": 0.0,
            "eda_sim": 0.17475354721891423,
            "length": 2.5,
            "precision": 0.5833333333333334,
            "t_bleu_1": 0.025953340765726477,
            "t_bleu_2": 0.008990408242953728,
            "t_bleu_3": 0.006801556191904249,
        },
        "benchmark_deterministic": {
            "back_at_root": 0.0,
            "eda_sim": 0.18256699655186648,
            "length": 12.0,
            "precision": 0.07692307692307693,
            "t_bleu_1": 0.07692307692307693,
            "t_bleu_2": 0.025318484177091663,
            "t_bleu_3": 0.017995375177571712,
        },
        "interestingness": {
            "coherence_penalty": 0.0,
            "diversity": 0.0919169381991781,
            "filter_exceptionality": 0.00031690982341335674,
            "group_compaction": 0.0,
            "group_conciseness": 0.0,
        },
    },
    "dagger": {
        "benchmark": {
            "back_at_root": 0.0,
            "eda_sim": 0.18070275675532876,
            "length": 2.5,
            "precision": 0.5833333333333334,
            "t_bleu_1": 0.025953340765726477,
            "t_bleu_2": 0.008990408242953728,
            "t_bleu_3": 0.006801556191904249,
        },
        "benchmark_deterministic": {
            "back_at_root": 0.0,
            "eda_sim": 0.14413730566027438,
            "length": 12.0,
            "precision": 0.5,
            "t_bleu_1": 0.07692307692307693,
            "t_bleu_2": 0.025318484177091663,
            "t_bleu_3": 0.017995375177571712,
        },
        "interestingness": {
            "coherence_penalty": 0.0,
            "diversity": 0.11450045255406505,
            "filter_exceptionality": 0.0,
            "group_compaction": 0.08376421923474664,
            "group_conciseness": 0.08376421923474664,
        },
    },
}


@pytest.mark.parametrize("algo", sorted(EXPECTED))
def test_fast_config_results_are_unchanged(algo: str, tmp_path: Path) -> None:
    th.set_num_threads(1)
    run: Any = EXPERIMENTS[algo].run(
        command_name=algo,
        named_configs=[str(BENCH / f"fast_{algo}_cyber_loo1.json")],
        config_updates={"seed": 0, "logging": {"log_root": str(tmp_path / "output"), "log_format_strs": ["csv"]}},
        options={"--file_storage": str(tmp_path / "sacred"), "--name": "pin", "--loglevel": "ERROR"},
    )
    # keys added to the result since (the degenerate shares) are not part of the pin
    measured = {
        section: {k: run.result[section][k]["mean"] for k in expected} for section, expected in EXPECTED[algo].items()
    }
    for section, expected in EXPECTED[algo].items():
        assert measured[section] == pytest.approx(expected, rel=1e-9, abs=1e-12), section
