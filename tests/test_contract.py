"""ilaeda.contract: the shared names, the run result's check and the integer check."""

from __future__ import annotations

import ast
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ilaeda import contract
from ilaeda.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
CONTRACT = REPO / "src" / "ilaeda" / "contract.py"


def _section(**changes: object) -> dict[str, object]:
    section: dict[str, object] = {m: {"mean": 0.5, "std": 0.1, "n": 10} for m in contract.METRICS}
    section.update(changes)
    return section


def _result(**changes: object) -> dict[str, object]:
    result: dict[str, object] = {
        "algo": "gail",
        "split": "cyber_loo1",
        "benchmark": _section(),
    }
    result.update(changes)
    return result


@pytest.mark.parametrize("module", ["contract.py", "runrecords.py"])
def test_imports_only_the_standard_library(module: str) -> None:
    """Both are loaded by path by experiments/commands.py, which runs without the package's dependencies."""
    tree = ast.parse((CONTRACT.parent / module).read_text())
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_importing_it_loads_no_heavy_module() -> None:
    code = "import sys, ilaeda.contract; print(sorted(m for m in ('numpy', 'torch', 'sacred', 'pandas') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert out.stdout.strip() == "[]"


def test_algorithm_views_agree_with_the_registry() -> None:
    assert contract.SCRIPT_COMMANDS["bcgail"] == ("train_adversarial", "gail")
    assert contract.ALGORITHMS["bcgail"].warm_start
    assert contract.COMMAND_LABELS == {"gail": "gail", "airl": "airl", "bc": "bc", "dagger": "dagger"}
    assert contract.ADVERSARIAL_TRAINERS == {"gail": "PenalizedGAIL", "airl": "PenalizedAIRL"}
    assert contract.commands_of("train_imitation") == {"bc", "dagger"}


def test_adversarial_trainers_name_real_classes() -> None:
    from ilaeda.algorithms import penalty

    for name in contract.ADVERSARIAL_TRAINERS.values():
        assert isinstance(getattr(penalty, name), type)


@pytest.mark.parametrize(
    ("stem", "token"),
    [("gail_cyber_loo1", "gail"), ("fast_bcgail_cyber_loo1", "bcgail"), ("fast", "fast"), ("dagger", "dagger")],
)
def test_config_token(stem: str, token: str) -> None:
    assert contract.config_token(stem) == token


def test_metric_order() -> None:
    assert contract.METRIC_ORDER[:5] == contract.METRICS
    assert set(contract.METRIC_LABELS) == set(contract.METRIC_ORDER)


def test_result_problem_accepts_a_result() -> None:
    assert contract.result_problem(_result()) is None


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        ([], "result is not a dict"),
        (_result(benchmark={}), "no 'benchmark' section"),
        (_result(benchmark=_section(precision={"mean": 0.5, "std": True, "n": 1})), "benchmark.precision is not"),
        (_result(benchmark=_section(precision=0.5)), "benchmark.precision is not"),
        (_result(benchmark=_section(t_bleu_2={"mean": math.nan, "std": 0.1, "n": 1})), "t_bleu_2.mean is nan"),
        (_result(benchmark=_section(eda_sim={"mean": 0.1, "std": math.inf, "n": 1})), "eda_sim.std is inf"),
        (_result(benchmark={m: {"mean": 0.5, "std": 0.1, "n": 1} for m in ("precision", "t_bleu_1")}), "t_bleu_2"),
        (_result(benchmark_deterministic=_section(precision={"mean": math.nan, "std": 0, "n": 1})), "deterministic"),
        (_result(benchmark_deterministic={}), "no 'benchmark_deterministic' section"),
        (_result(split=None), "no 'split'"),
    ],
)
def test_result_problem_names_the_problem(result: object, problem: str) -> None:
    assert problem in (contract.result_problem(result) or "")


@pytest.mark.parametrize("value", [1, 7, 2**40])
def test_check_positive_int_returns_the_value(value: int) -> None:
    assert contract.check_positive_int(value, "k") == value


@pytest.mark.parametrize("value", [0, -1, True, 2.5, "3", None, [1]])
def test_check_positive_int_refuses(value: object) -> None:
    with pytest.raises(ConfigError, match=rf"^k must be a positive integer, got {re.escape(repr(value))} \(hint\)$"):
        contract.check_positive_int(value, "k", error=ConfigError, hint=" (hint)")


@pytest.mark.parametrize(("value", "written"), [(1.0, "1"), (2.0, "2"), (1e4, "10000")])
def test_check_positive_int_names_the_integer_for_a_whole_float(value: float, written: str) -> None:
    fix = rf"; write {written} \(an integer, no decimal point\)"
    with pytest.raises(ConfigError, match=rf"^k must be a positive integer, got {value!r} \(hint\){fix}$"):
        contract.check_positive_int(value, "k", error=ConfigError, hint=" (hint)")


def test_check_positive_int_none_when_allowed() -> None:
    assert contract.check_positive_int(None, "k", none="or null") is None
    with pytest.raises(ValueError, match=r"^k must be a positive integer or null, got 0$"):
        contract.check_positive_int(0, "k", none="or null")


@pytest.mark.parametrize(
    ("minimum", "rule"), [(0, "a non-negative integer"), (1, "a positive integer"), (3, "an integer of at least 3")]
)
def test_check_positive_int_minimum(minimum: int, rule: str) -> None:
    assert contract.check_positive_int(minimum, "k", minimum=minimum) == minimum
    with pytest.raises(ValueError, match=rf"^k must be {rule}, got {minimum - 1}$"):
        contract.check_positive_int(minimum - 1, "k", minimum=minimum)
    with pytest.raises(ValueError, match=rf"^k must be {rule}, got False$"):
        contract.check_positive_int(False, "k", minimum=minimum)


def test_check_positive_int_below_the_minimum_names_no_fix() -> None:
    with pytest.raises(ValueError, match=r"^k must be a positive integer, got 0.0$"):
        contract.check_positive_int(0.0, "k")


def test_commands_script_without_the_contract_says_so(tmp_path: Path) -> None:
    """experiments/commands.py loads the contract by path; a copy outside a checkout fails with one line."""
    script = tmp_path / "experiments" / "commands.py"
    script.parent.mkdir()
    shutil.copy(REPO / "experiments" / "commands.py", script)
    out = subprocess.run([sys.executable, "-I", "-S", str(script), "--help"], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"commands.py: error: {tmp_path / 'src' / 'ilaeda' / 'contract.py'} not found; "
        "run this script from an ilaeda checkout"
    ]
