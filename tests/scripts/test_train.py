"""All five algorithms end to end from their fast JSON configs (in-process Sacred runs), the result
contract, checkpoints, artifacts, logs, reproducibility, and eval_policy on a saved policy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch as th

from ilaeda.benchmark.degenerate import DEGENERATE, degenerate_scores
from ilaeda.contract import ALGORITHMS, EXTRA_METRICS
from ilaeda.contract import METRICS as BENCHMARK_METRICS
from ilaeda.scripts.eval_policy import eval_policy_ex
from ilaeda.scripts.train_adversarial import train_adversarial_ex
from ilaeda.scripts.train_imitation import train_imitation_ex

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "benchmarking"
METRICS = (*EXTRA_METRICS, *DEGENERATE, *BENCHMARK_METRICS)
MEASURES = ("filter_exceptionality", "group_compaction", "group_conciseness", "diversity", "coherence_penalty")
SCRIPTS = {"train_adversarial": train_adversarial_ex, "train_imitation": train_imitation_ex}
EXPERIMENTS = {token: SCRIPTS[algorithm.script] for token, algorithm in ALGORITHMS.items()}
COMMANDS = {token: algorithm.command for token, algorithm in ALGORITHMS.items()}


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    th.set_num_threads(1)


def run_fast(algo: str, root: Path, seed: int = 0, split: int = 1, **updates: Any) -> Any:
    """One fast run, its Sacred record under ``root/sacred`` and logs under ``root/output``."""
    return EXPERIMENTS[algo].run(
        command_name=COMMANDS[algo],
        named_configs=[str(BENCH / f"fast_{algo}_cyber_loo{split}.json")],
        config_updates={"seed": seed, "logging": {"log_root": str(root / "output")}, **updates},
        options={"--file_storage": str(root / "sacred"), "--name": "pytest"},
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path]]:
    out = {}
    for algo in ALGORITHMS:
        root = tmp_path_factory.mktemp(algo)
        out[algo] = (run_fast(algo, root), root)
    return out


def check_contract(result: dict[str, Any], algo: str) -> None:
    json.dumps(result, allow_nan=False)  # plain JSON
    assert result["algo"] == algo and result["split"] == "cyber_loo1" and result["eval_dataset"] == 1
    assert result["seed"] == 0
    for section in ("benchmark", "benchmark_deterministic"):
        assert set(result[section]) == set(METRICS)
        for entry in result[section].values():
            assert set(entry) == {"mean", "std", "n"} and entry["n"] == 2
    for section in ("interestingness", "interestingness_deterministic"):
        assert set(result[section]) == set(MEASURES)
    assert isinstance(result["learned_reward"], dict)
    timing = result["timing"]
    assert {"wall_s", "env_steps", "env_steps_per_s"} <= set(timing) and timing["wall_s"] > 0
    assert Path(result["log_dir"]).is_dir()


@pytest.mark.parametrize("algo", list(ALGORITHMS))
def test_runs_complete_with_the_result_contract(runs: dict[str, tuple[Any, Path]], algo: str) -> None:
    run, root = runs[algo]
    assert run.status == "COMPLETED"
    result = run.result
    check_contract(result, algo)
    # exactly one observer: one run directory
    run_dirs = [p for p in (root / "sacred").iterdir() if p.name != "_sources"]
    assert len(run_dirs) == 1
    record = json.loads((run_dirs[0] / "run.json").read_text())
    assert record["status"] == "COMPLETED" and record["result"]["benchmark"] == result["benchmark"]
    assert {
        "policy.pt",
        "sessions_stochastic_cyber1.json",
        "sessions_deterministic_cyber1.json",
        "report.html",
        "report.ipynb",
    } <= set(record["artifacts"])  # the session report is written at the end of every run
    log_dir = Path(result["log_dir"])
    assert log_dir.parent.parent.name == COMMANDS[algo] and log_dir.parent.name == "cyber_loo1"
    assert (log_dir / "progress.csv").is_file() and list(log_dir.glob("events.out.tfevents.*"))
    assert (log_dir / "sacred").resolve() == run_dirs[0].resolve()
    # sessions artifact in the references' format
    doc = json.loads((run_dirs[0] / "sessions_stochastic_cyber1.json").read_text())
    assert doc["schema"] == "cyber" and doc["dataset"] == 1 and len(doc["sessions"]) == 2
    # checkpoint: plain state dict, loadable without weights_only=False
    payload = th.load(result["policy_path"], weights_only=True)
    assert payload["metadata"]["split"] == "cyber_loo1" and payload["metadata"]["algo"] == algo


@pytest.mark.parametrize("algo", ["bc", "gail"])
def test_results_carry_the_degenerate_shares_of_their_sessions(runs: dict[str, tuple[Any, Path]], algo: str) -> None:
    result = runs[algo][0].result
    for mode, section in (("stochastic", "benchmark"), ("deterministic", "benchmark_deterministic")):
        path = Path(result["log_dir"]) / f"sessions_{mode}_cyber1.json"
        rows = degenerate_scores(path, "cyber", 1)
        for key in DEGENERATE:
            assert result[section][key]["n"] == len(rows) == 2
            assert result[section][key]["mean"] == pytest.approx(sum(r[key] for r in rows) / len(rows))
            assert 0.0 <= result[section][key]["mean"] <= 1.0


def test_adversarial_specifics(runs: dict[str, tuple[Any, Path]]) -> None:
    for algo in ("gail", "airl", "bcgail"):
        result = runs[algo][0].result
        learned = result["learned_reward"]
        assert learned["penalty_coef"] == 1.0 and learned["train_steps"] == 192
        assert learned["eval_return"]["n"] == 2
        assert result["timing"]["env_steps"] == 192 and 0 < result["timing"]["env_time_share"] < 1
        assert result["n_rounds"] == 2
        assert th.load(Path(result["policy_path"]).with_name("reward_net.pt"), weights_only=True)["state_dict"]
        # benchmark metrics on the training datasets: every training_evaluation.interval rounds and the last one
        run_dir = next(p for p in (runs[algo][1] / "sacred").iterdir() if p.name != "_sources")
        metrics = json.loads((run_dir / "metrics.json").read_text())
        for key in ("stochastic/length", "stochastic/t_bleu_2", "deterministic/eda_sim"):
            assert metrics[f"train_eval/{key}"]["steps"] == [192]
    assert runs["bcgail"][0].result["bc_warm_start"] is True
    assert "bc_warm_start_s" in runs["bcgail"][0].result["timing"]


def test_dagger_uses_the_disclosed_approximate_oracle(runs: dict[str, tuple[Any, Path]]) -> None:
    result = runs["dagger"][0].result
    assert result["expert"]["policy_type"] == "eda-sessions" and result["expert"]["approximate"] is True
    assert result["expert"]["queries"] >= 96 and result["dagger_rounds"] >= 1
    assert result["timing"]["env_steps"] >= 96
    config = runs["dagger"][0].config
    assert config["expert"]["loader_kwargs"] == {}  # no copies of other ingredients' keys: the command hands
    assert config["environment"]["split"] == "cyber_loo1"  # the oracle the run's split and EnvOptions


def test_same_seed_same_result(runs: dict[str, tuple[Any, Path]], tmp_path: Path) -> None:
    first = runs["gail"][0].result
    again = run_fast("gail", tmp_path).result
    for key in (
        "benchmark",
        "benchmark_deterministic",
        "interestingness",
        "interestingness_deterministic",
        "benchmark_corpus",
    ):
        assert again[key] == first[key], key
    for key in ("train_learned_per_step", "train_penalty_per_step", "eval_return"):
        assert again["learned_reward"][key] == first["learned_reward"][key], key
    for name in first["session_files"]["stochastic"] + first["session_files"]["deterministic"]:
        assert (Path(again["log_dir"]) / name).read_text() == (Path(first["log_dir"]) / name).read_text()
    a = th.load(first["policy_path"], weights_only=True)["state_dict"]
    b = th.load(again["policy_path"], weights_only=True)["state_dict"]
    assert all(th.equal(a[k], b[k]) for k in a)


def test_eval_policy_on_a_saved_policy(runs: dict[str, tuple[Any, Path]], tmp_path: Path) -> None:
    trained = runs["bc"][0].result
    run = eval_policy_ex.run(
        config_updates={
            "policy_path": trained["policy_path"],
            "dataset": 2,
            "seed": 0,
            "logging": {"log_root": str(tmp_path)},
            "policy_evaluation": {"n_sessions": 3, "render": False},
        },
        options={"--file_storage": str(tmp_path / "s")},
    )
    assert run.status == "COMPLETED"
    result = run.result
    assert result["eval_dataset"] == 2 and result["algo"] == "bc" and result["policy_split"] == "cyber_loo1"
    assert result["dataset_role"] == "training" and result["split"] is None  # 2 is a training dataset of loo1
    assert result["benchmark"]["precision"]["n"] == 3 and set(result["benchmark"]) == set(METRICS)
    assert (Path(result["log_dir"]) / "sessions_stochastic_cyber2.json").is_file()
    assert (Path(result["log_dir"]) / "report" / "report.html").is_file()
    # default dataset: the policy's held-out dataset
    default = eval_policy_ex.run(
        config_updates={
            "policy_path": trained["policy_path"],
            "seed": 0,
            "logging": {"log_root": str(tmp_path)},
            "policy_evaluation": {"n_sessions": 2, "render": False, "report": False},
        }
    ).result
    assert default["eval_dataset"] == 1
    assert not (Path(default["log_dir"]) / "report").exists()  # policy_evaluation.report=False
    # same policy, seed and dataset as the training run's evaluation → same sessions
    assert default["benchmark"] == trained["benchmark"]
    assert default["env_options"].get("mask_back_at_root", False) is False
    masked = eval_policy_ex.run(
        config_updates={
            "policy_path": trained["policy_path"],
            "seed": 0,
            "env_options": {"mask_back_at_root": True},
            "logging": {"log_root": str(tmp_path)},
            "policy_evaluation": {"n_sessions": 8, "render": False, "report": False},
        }
    ).result
    assert masked["env_options"]["mask_back_at_root"] is True
    assert masked["benchmark"]["back_at_root"]["mean"] == 0.0  # BACK at the root never generated


@pytest.mark.parametrize(
    ("updates", "check"),
    [
        (
            {
                "environment": {"episode_end": "no_stop", "observe_step": True},
                "demonstrations": {"chain_sessions": True},
            },
            lambda b: b["length"]["mean"] == 12.0,
        ),
        (
            {"environment": {"episode_end": "absorbing"}, "demonstrations": {"absorbing": "keep"}},
            lambda b: 0.0 <= b["length"]["mean"] <= 12.0,
        ),
        (
            {"environment": {"mask_back_at_root": True, "min_length": 6}},
            lambda b: b["back_at_root"]["mean"] == 0.0 and b["length"]["mean"] >= 6.0,
        ),
    ],
    ids=["no_stop", "absorbing", "masks"],
)
def test_episode_end_settings(tmp_path: Path, updates: dict[str, Any], check: Any) -> None:
    run = run_fast("bcgail", tmp_path, **updates)
    assert run.status == "COMPLETED"
    for section in ("benchmark", "benchmark_deterministic"):
        assert check(run.result[section]), run.result[section]
