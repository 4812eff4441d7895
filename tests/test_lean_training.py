"""The training speed-ups (ilaeda.algorithms.lean) compute what the code before them computed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch as th

from ilaeda.algorithms.lean import foreach_optimizer, lean_torch

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def _validation_restored() -> object:
    before = th.distributions.Distribution._validate_args
    threads = th.get_num_threads()
    yield None
    th.distributions.Distribution.set_default_validate_args(before)
    th.set_num_threads(threads)


@pytest.mark.usefixtures("_validation_restored")
def test_lean_torch_turns_argument_validation_off() -> None:
    th.distributions.Distribution.set_default_validate_args(True)
    lean_torch(1)
    assert th.get_num_threads() == 1
    # With validation on, these logits would be refused (NaN is outside the constraint); off, nothing checks them.
    dist = th.distributions.Categorical(logits=th.tensor([[float("nan"), 0.0]]))
    assert dist.logits.shape == (1, 2)


def _adam_steps(optimizer_hook: bool) -> list[th.Tensor]:
    th.manual_seed(0)
    net = th.nn.Sequential(th.nn.Linear(5, 7), th.nn.Tanh(), th.nn.Linear(7, 3))
    opt = th.optim.Adam(net.parameters(), lr=1e-3)
    if optimizer_hook:
        assert foreach_optimizer(opt) is opt
        assert all(group["foreach"] is True for group in opt.param_groups)
    data = th.randn(32, 5)
    for _ in range(20):
        opt.zero_grad()
        net(data).square().mean().backward()
        opt.step()
    return [p.detach().clone() for p in net.parameters()]


def test_foreach_optimizer_gives_the_same_parameters_bit_for_bit() -> None:
    for plain, fused in zip(_adam_steps(False), _adam_steps(True)):
        assert th.equal(plain, fused)


# Recorded on the unchanged main checkout (commit a9f9d6a), from /tmp/speedbase:
#   PYTHONPATH=/work/main/src OMP_NUM_THREADS=1 python -m ilaeda.scripts.train_adversarial gail \
#     with benchmarking/fast_bcgail_cyber_loo1.json seed=0 logging.log_root=out -F sacred
# (result.learned_reward and result.benchmark of run.json). A speed-up must leave them exactly as they were.
BEFORE_LEARNED = {
    "train_learned_per_step": 0.6187028527880708,
    "train_total_per_step": 0.4884945194547375,
    "last_episodes": 45,
    "last_episodes_learned_return": 2.59836356110043,
    "last_episodes_penalty_return": -0.5555555555555556,
}
BEFORE_EVAL_RETURN = (2.2113978564739227, 1.5986893475055695)
BEFORE_BENCHMARK = {"t_bleu_2": 0.008990408242953728, "eda_sim": 0.18070275675532876, "length": 2.5}


def test_fast_bcgail_seed_0_results_are_those_of_the_code_before_the_speed_ups(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "ilaeda.scripts.train_adversarial",
        "gail",
        "with",
        str(REPO_ROOT / "benchmarking" / "fast_bcgail_cyber_loo1.json"),
        "seed=0",
        f"logging.log_root={tmp_path / 'out'}",
        'logging.log_format_strs=["csv"]',
        "-F",
        str(tmp_path / "sacred"),
    ]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads((tmp_path / "sacred" / "1" / "run.json").read_text())["result"]
    learned = result["learned_reward"]
    for key, value in BEFORE_LEARNED.items():
        assert learned[key] == value, key
    assert (learned["eval_return"]["mean"], learned["eval_return"]["std"]) == BEFORE_EVAL_RETURN
    for key, value in BEFORE_BENCHMARK.items():
        assert result["benchmark"][key]["mean"] == value, key
