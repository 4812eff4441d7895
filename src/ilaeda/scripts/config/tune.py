"""Defaults of ``python -m ilaeda.scripts.tune`` and the default search space of each algorithm.

Every tune option is a ``key=value`` after ``with`` (values read like Sacred's: JSON or a Python literal,
else a string); training-config updates applied to every trial are written ``train.<dotted key>=value``.
"""

from __future__ import annotations

from typing import Any

from ilaeda.contract import HEADLINE_METRICS

#: Environment variable holding the password of a storage URL written without one (``user@host``).
PASSWORD_ENV = "ILAEDA_STORAGE_PASSWORD"

#: Tune options and their defaults.
DEFAULTS: dict[str, Any] = {
    # Study name (default ``<algo>_<split>``); workers sharing a name and storage share the study.
    "study_name": None,
    # None: a journal file ``<output_dir>/tune/<study_name>/journal.log`` (local processes and Slurm
    # jobs on a shared file system); or any Optuna RDB URL (``sqlite:///study.db``,
    # ``postgresql://user@host/db``). The password: in the URL (``user:password@host``), or read from
    # the environment variable ILAEDA_STORAGE_PASSWORD or ``storage_password_file`` (owner-only file);
    # never in the query (``?password=`` is refused). It is masked in everything printed or written.
    "storage": None,
    "storage_password_file": None,
    # Finished (complete or pruned) trials the study should reach, counted over all workers; a worker
    # stops once they exist (or after ``timeout_s`` seconds, or ``max_failed_trials`` failed trials).
    "n_trials": 20,
    "timeout_s": None,
    "max_failed_trials": 10,
    # Each trial trains one run per (validation split, seed): at least two seeds. ``folds``: the
    # validation datasets (None: every training dataset of the config's leave-one-out split in turn).
    "seeds": [0, 1],
    "folds": None,
    # Objective (maximised): the weighted mean of these metrics of the policy's evaluation sessions on the
    # validation dataset, normalised (random agent = 0, experts = 1, from ``baselines_csv``) unless
    # ``normalise=False``; averaged over the trial's runs. Session length is kept as a trial attribute.
    "objective": {m: 1 / len(HEADLINE_METRICS) for m in HEADLINE_METRICS},  # the headline pair, equal weights
    "objective_policy": "stochastic",
    "normalise": True,
    "baselines_csv": None,  # None: the package's copy of benchmarking/baselines.csv
    # A JSON file ``{dotted key: spec or null}`` merged over the algorithm's default space (null removes
    # a key); ``search_space_replace=True`` uses the file's entries alone. Specs:
    # {"type": "float", "low": 1e-5, "high": 1e-3, "log": true}, {"type": "int", "low": 1, "high": 8},
    # {"type": "categorical", "choices": [[32, 32], [64, 64]]}.
    "search_space": None,
    "search_space_replace": False,
    # Pruning on the running objective after each run of a trial: "median" (Optuna's MedianPruner) or
    # "none".
    "pruner": "median",
    "pruner_startup_trials": 5,
    "pruner_warmup_steps": 1,
    # TPE sampler seed (worker i uses seed + i); None: random.
    "sampler_seed": None,
    # Trial runs' Sacred records and logs go under ``<output_dir>/tune/<study_name>/``; the best
    # configuration is written to ``<tuned_dir>/<algo>_<study_name>.json`` (provenance beside it, in
    # ``<tuned_dir>/provenance/``).
    "output_dir": "output",
    "tuned_dir": "benchmarking/tuned",
    # This worker's number (names its log, offsets the sampler seed).
    "worker": 0,
}

_PPO: dict[str, dict[str, Any]] = {
    "rl.rl_kwargs.learning_rate": {"type": "float", "low": 1e-5, "high": 1e-3, "log": True},
    "rl.rl_kwargs.n_epochs": {"type": "int", "low": 2, "high": 20},
    "rl.rl_kwargs.ent_coef": {"type": "float", "low": 1e-6, "high": 1e-2, "log": True},
}
_ADVERSARIAL: dict[str, dict[str, Any]] = {
    **_PPO,
    "algorithm_kwargs.n_disc_updates_per_round": {"type": "int", "low": 1, "high": 8},
    "algorithm_kwargs.demo_batch_size": {"type": "categorical", "choices": [64, 128, 192, 256]},
    "reward.hid_sizes": {"type": "categorical", "choices": [[32, 32], [64, 64], [128, 128]]},
    "reward.penalty_coef": {"type": "float", "low": 0.0, "high": 2.0},
}
_BC: dict[str, dict[str, Any]] = {
    "bc.batch_size": {"type": "categorical", "choices": [16, 32, 64, 128]},
    "bc.optimizer_kwargs.lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": True},
    "bc.ent_weight": {"type": "float", "low": 1e-5, "high": 1e-1, "log": True},
}

#: Default search space per algorithm (dotted training-config keys).
SEARCH_SPACES: dict[str, dict[str, dict[str, Any]]] = {
    "gail": dict(_ADVERSARIAL),
    "airl": dict(_ADVERSARIAL),
    "bcgail": {**_ADVERSARIAL, "bc.n_epochs": {"type": "int", "low": 5, "high": 100, "log": True}},
    "bc": {**_BC, "bc.n_epochs": {"type": "int", "low": 5, "high": 200, "log": True}},
    "dagger": {
        **_BC,
        "dagger.n_epochs_per_round": {"type": "int", "low": 1, "high": 10},
        "dagger.beta_rampdown_rounds": {"type": "int", "low": 1, "high": 30},
    },
}
