"""Evaluate a saved policy on a dataset: generate sessions (stochastic and deterministic policy),
save them as JSON, print them and score them with the benchmark, as at the end of a training run.

``python -m ilaeda.scripts.eval_policy with policy_path=<log_dir>/checkpoints/final/policy.pt dataset=1``

Checkpoints are loaded with ``torch.load(weights_only=True)``; a file that is not an ilaeda policy, or
whose spaces do not fit the env (e.g. another schema), is refused with a one-line error.
"""

from __future__ import annotations

import sys
from typing import Any

import torch as th

from ilaeda.algorithms.serialize import load_policy
from ilaeda.benchmark.summary import plain_json
from ilaeda.data.schema import load_schema
from ilaeda.data.splits import parse_split
from ilaeda.envs import EDAEnv, EnvOptions
from ilaeda.report import write_run_report
from ilaeda.scripts import console
from ilaeda.scripts._sacred import Run
from ilaeda.scripts.common import Stopwatch, provenance_section
from ilaeda.scripts.config.eval_policy import eval_policy_ex
from ilaeda.scripts.ingredients import environment as env_ing
from ilaeda.scripts.ingredients import logging as logging_ing
from ilaeda.scripts.ingredients import policy_evaluation


def dataset_role(meta: dict[str, Any], datasets: tuple[int, ...]) -> str:
    """``held-out`` (the policy never saw them), ``training`` (any of them was a training dataset) or
    ``unknown`` (the policy records no training datasets); a warning when the policy trained on one.
    """
    trained = set(meta.get("train_datasets") or ())
    if not trained:
        return "unknown"
    seen = sorted(trained & set(datasets))
    if seen:
        print(
            f"warning: dataset(s) {', '.join(map(str, seen))} were among the policy's training datasets: "
            "these scores are not held-out results",
            file=sys.stderr,
        )
        return "training"
    return "held-out"


@eval_policy_ex.main
def eval_policy(
    _run: Run,
    seed: int,
    policy_path: str,
    dataset: int | None,
    schema: str | None,
    split: str | None,
    data_dir: str | None,
    torch_num_threads: int,
    env_options: dict[str, Any],
) -> dict[str, Any]:
    """Evaluate ``policy_path``; returns the benchmark sections like a training run's result.

    The config hook resolved every input (schema, split, horizon, the full ``env_options``) from the policy
    file before the run started; this reads the file once more, for its weights.
    """
    watch = Stopwatch()
    th.set_num_threads(int(torch_num_threads))
    split_name = split
    schema_obj = load_schema(str(schema))
    datasets = (int(dataset),) if dataset is not None else parse_split(str(split)).eval_datasets
    options = EnvOptions.from_json(env_options)
    env = EDAEnv(schema=schema_obj, datasets=datasets, options=options, data_dir=data_dir)
    policy, meta = load_policy(policy_path, env.observation_space, env.action_space)
    role = dataset_role(meta, datasets)
    name = f"{schema_obj.name}_{'-'.join(map(str, datasets))}"
    _, log_dir = logging_ing.setup_logging(command="eval_policy", name=name)
    watch.lap("setup_s")
    sections = policy_evaluation.evaluate(
        policy, env, seed=env_ing.env_seeds(seed, 1, stream=1)[0], out_dir=log_dir, run=_run
    )
    watch.lap("eval_s")
    result: dict[str, Any] = {
        "algo": meta.get("algo"),
        "split": split_name if role != "training" else None,
        "policy_split": meta.get("split"),
        "dataset_role": role,
        "env_options": options.to_json(),
        "schema": schema_obj.name,
        "eval_dataset": datasets[0] if len(datasets) == 1 else list(datasets),
        "seed": int(seed),
        "policy_path": str(policy_path),
        "policy_metadata": meta,
        **sections,
        "timing": {"wall_s": watch.wall, **watch.marks},
        "log_dir": str(log_dir),
        "provenance": provenance_section(_run),
    }
    result = plain_json(result)
    policy_evaluation.print_summary(
        result,
        f"policy {meta.get('algo', '?')} ({split_name or '-'}) on "
        f"{schema_obj.name} dataset(s) {', '.join(map(str, datasets))}",
    )
    if policy_evaluation.report_enabled():
        write_run_report(result, log_dir, _run, data_dir=data_dir)  # warns, never fails the run
    return result


def main_console() -> None:
    """Console entry point (``ilaeda-eval-policy``)."""
    console.main_console(eval_policy_ex)


if __name__ == "__main__":  # pragma: no cover
    main_console()
