"""ilaeda.scripts.tune: options, search spaces, secrets, pruning, and real studies of the fast BC config —
two concurrent workers on one study, a killed worker, resuming, the tuned config re-run as a training run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import optuna
import pytest

from ilaeda.redaction import query_password_key, redact, split_password
from ilaeda.scripts import tune
from ilaeda.scripts.config.tune import PASSWORD_ENV, SEARCH_SPACES
from ilaeda.tuning import UsageError, options, storage, trials
from ilaeda.tuning import space as spaces

REPO = Path(__file__).resolve().parents[2]
FAST_BC = REPO / "benchmarking" / "fast_bc_cyber_loo1.json"
SPACE = {
    "bc.n_epochs": {"type": "int", "low": 1, "high": 3},
    "bc.batch_size": {"type": "categorical", "choices": [16, 32]},
    "bc.optimizer_kwargs.lr": None,
    "bc.ent_weight": None,
}


def space_file(tmp_path: Path, space: dict[str, Any] | None = None) -> Path:
    path = tmp_path / "space.json"
    path.write_text(json.dumps(SPACE if space is None else space))
    return path


def run_tune(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ilaeda.scripts.tune", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})},
        timeout=timeout,
    )


def fast_args(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "bc",
        "with",
        str(FAST_BC),
        "folds=[2]",
        f"search_space={space_file(tmp_path)}",
        f"output_dir={tmp_path / 'out'}",
        f"tuned_dir={tmp_path / 'tuned'}",
        *extra,
    ]


def load_study(tmp_path: Path, name: str = "bc_cyber_loo1") -> optuna.Study:
    path = str(tmp_path / "out" / "tune" / name / "journal.log")
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(path, lock_obj=optuna.storages.journal.JournalFileOpenLock(path))
    )
    return optuna.load_study(study_name=name, storage=storage)


# ---------------------------------------------------------------- options (in-process)


def test_parse_argv_and_values(tmp_path: Path) -> None:
    inv = options.parse_argv(
        [
            "gail",
            "with",
            str(FAST_BC),
            "n_trials=7",
            "seeds=[0, 2]",
            "storage=sqlite:///x.db",
            "train.environment.num_vec=4",
            "train.reward.hid_sizes=[8,8]",
            "objective_policy=stochastic",
        ]
    )
    assert (inv.algo, inv.configs) == ("gail", [str(FAST_BC)])
    assert inv.options["n_trials"] == 7 and inv.options["seeds"] == [0, 2]
    assert inv.options["storage"] == "sqlite:///x.db" and inv.options["pruner"] == "median"
    assert inv.train_updates == {"environment.num_vec": 4, "reward.hid_sizes": [8, 8]}
    assert (
        options.parse_value("true") is True
        and options.parse_value("None") is None
        and options.parse_value("a b") == "a b"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "usage"),
        (["ppo", "with", "x.json"], "unknown algorithm 'ppo'"),
        (["bc", str(FAST_BC)], "expected 'with'"),
        (["bc", "with"], "no training config file"),
        (["bc", "with", "missing.json"], "config file 'missing.json' not found"),
        (["bc", "with", str(FAST_BC), "n_trail=3"], "unknown tune option 'n_trail'"),
        (["bc", "with", str(FAST_BC), "fast"], "neither a config file"),
    ],
)
def test_parse_argv_errors(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        options.parse_argv(argv)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["seeds=[0]"], "at least two distinct"),
        (["seeds=[1, 1]"], "at least two distinct"),
        (["folds=[1]"], "dataset 1 is not a training dataset of cyber_loo1"),
        (["train.environment.split=cyber_2"], "leave-one-out split"),
        (["pruner=hyperband"], "pruner must be"),
        (["objective={'bleu': 1}"], "unknown metric 'bleu'"),
        (["objective={'t_bleu_2': 0}"], "positive weights"),
        (["n_trials=0"], "^n_trials must be a positive integer, got 0$"),
        (["n_trials=2.0"], r"^n_trials must be a positive integer, got 2.0; write 2 \(an integer, no decimal point\)$"),
        (["worker=-1"], "^worker must be a non-negative integer, got -1$"),
        (["pruner_warmup_steps=True"], "^pruner_warmup_steps must be a non-negative integer, got True$"),
        (["sampler_seed=1.5"], "^sampler_seed must be a non-negative integer or null, got 1.5$"),
        (["study_name=a b"], "study_name="),
        (["timeout_s=-1"], "timeout_s"),
    ],
)
def test_settings_errors(extra: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        options.settings_from(options.parse_argv(["bc", "with", str(FAST_BC), *extra]))


def test_settings_zero_where_zero_means_something() -> None:
    keys = ("pruner_startup_trials", "pruner_warmup_steps", "worker", "sampler_seed")
    settings = options.settings_from(options.parse_argv(["bc", "with", str(FAST_BC), *(f"{k}=0" for k in keys)]))
    assert {k: settings.options[k] for k in keys} == dict.fromkeys(keys, 0)


def test_settings_training_datasets_only() -> None:
    settings = options.settings_from(options.parse_argv(["bc", "with", str(FAST_BC), "seeds=[3, 4]"]))
    assert settings.val_splits == ["cyber_loo1_val2", "cyber_loo1_val3", "cyber_loo1_val4"]
    assert settings.units[:4] == [
        ("cyber_loo1_val2", 3),
        ("cyber_loo1_val3", 3),
        ("cyber_loo1_val4", 3),
        ("cyber_loo1_val2", 4),
    ]
    assert settings.study_name == "bc_cyber_loo1" and settings.search_space == SEARCH_SPACES["bc"]


def test_search_space_merge_remove_replace_and_errors(tmp_path: Path) -> None:
    merged = spaces.load_search_space("bc", str(space_file(tmp_path)), replace=False)
    assert set(merged) == {"bc.n_epochs", "bc.batch_size"} and merged["bc.n_epochs"]["high"] == 3
    added = spaces.load_search_space(
        "gail",
        str(space_file(tmp_path, {"rl.rl_kwargs.gamma": {"type": "float", "low": 0.9, "high": 0.999}})),
        replace=False,
    )
    assert set(added) == set(SEARCH_SPACES["gail"]) | {"rl.rl_kwargs.gamma"}
    only = spaces.load_search_space(
        "gail", str(space_file(tmp_path, {"reward.penalty_coef": {"type": "float", "low": 0, "high": 1}})), replace=True
    )
    assert set(only) == {"reward.penalty_coef"}
    for bad, message in [
        ({"x": {"type": "uniform"}}, 'needs "type"'),
        ({"x": {"type": "float", "low": 2, "high": 1}}, "low must not exceed high"),
        ({"x": {"type": "float", "low": 0, "high": 1, "log": True}}, "log scale needs low > 0"),
        ({"x": {"type": "int", "low": 0.5, "high": 2}}, "needs numbers"),
        ({"x": {"type": "categorical", "choices": []}}, "non-empty list"),
        ({"bad key": {"type": "int", "low": 0, "high": 1}}, "dotted training-config keys"),
    ]:
        with pytest.raises(UsageError, match=message):
            spaces.load_search_space("bc", str(space_file(tmp_path, bad)), replace=True)
    with pytest.raises(UsageError, match="empty"):
        spaces.load_search_space("bc", str(space_file(tmp_path, {k: None for k in SEARCH_SPACES["bc"]})), False)


def test_every_default_space_is_valid() -> None:
    for algo, space in SEARCH_SPACES.items():
        for key, spec in space.items():
            spaces.check_spec(key, spec)
        assert algo in options.ALGORITHMS


def test_categorical_lists_round_trip() -> None:
    space = {
        "reward.hid_sizes": {"type": "categorical", "choices": [[32, 32], [64, 64]]},
        "reward.penalty_coef": {"type": "float", "low": 0.0, "high": 2.0},
    }
    trial = optuna.trial.FixedTrial({"reward.hid_sizes": "[64, 64]", "reward.penalty_coef": 0.5})
    assert spaces.suggest(trial, space) == {"reward.hid_sizes": [64, 64], "reward.penalty_coef": 0.5}
    assert spaces.decode_params({"reward.hid_sizes": "[32, 32]"}, space) == {"reward.hid_sizes": [32, 32]}


# ---------------------------------------------------------------- secrets


PASSWORDS = ["s3/cret", "s3@cret", "s3:cret", "s3?cret", "s3#cret", "s3%cret", "a/@:?#%b"]


@pytest.mark.parametrize("password", PASSWORDS)
def test_redact_masks_every_character(password: str) -> None:
    url = f"postgresql://tuner:{password}@db.example:5432/studies?sslmode=require"
    masked = "postgresql://tuner:***@db.example:5432/studies?sslmode=require"
    for text in (url, f"storage {url!r} failed", json.dumps({"storage": url}), f"a storage={url} b"):
        out = redact(text)
        assert password not in out and "cret" not in out and masked in out
    assert split_password(url) == ("postgresql://tuner@db.example:5432/studies?sslmode=require", password)
    assert redact("error for pw hunter2 here", ["hunter2"]) == "error for pw *** here"
    assert redact(f"cannot open {url}: refused.") == f"cannot open {masked}: refused."


def test_redact_query_form_and_urls_without_password() -> None:
    assert redact("sqlite:///x.db?Password=s3cret&mode=ro") == "sqlite:///x.db?Password=***&mode=ro"
    assert query_password_key("postgresql://u@h/db?PASSWORD=x") == "PASSWORD"
    assert query_password_key("postgresql://u:p@h/db?sslmode=require") is None
    for url in ("sqlite:////tmp/a:b/x.db", "postgresql://tuner@db:5432/x", "sqlite:///study.db"):
        assert redact(url) == url and split_password(url) == (url, None)


def test_password_sources(tmp_path: Path) -> None:
    assert storage.read_password(None, {PASSWORD_ENV: "from-env"}) == "from-env"
    assert storage.read_password(None, {}) is None
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    secret.chmod(0o600)
    assert storage.read_password(str(secret), {PASSWORD_ENV: "from-env"}) == "from-file"
    secret.chmod(0o640)
    with pytest.raises(UsageError, match="readable by others; run chmod 600"):
        storage.read_password(str(secret), {})
    with pytest.raises(UsageError, match="storage_password_file"):
        storage.read_password(str(tmp_path / "nope"), {})


def test_url_with_password() -> None:
    from sqlalchemy.engine import make_url

    url = storage.connect_url("postgresql://tuner@db.example:5432/studies", "p@ss word")
    assert make_url(url).password == "p@ss word" and make_url(url).username == "tuner"
    assert storage.connect_url("sqlite:///x.db", "ignored") == "sqlite:///x.db"
    assert storage.connect_url("postgresql://tuner@db/s", None) == "postgresql://tuner@db/s"
    for password in PASSWORDS:  # the URL's own password wins, whatever it holds
        url = storage.connect_url(f"postgresql://tuner:{password}@db:5/s", "env")
        assert (make_url(url).password, make_url(url).host, make_url(url).database) == (password, "db", "s")


@pytest.mark.parametrize("key", ["password", "PassWord", "pwd"])
def test_query_password_is_refused(key: str) -> None:
    with pytest.raises(UsageError, match="not accepted; write it as user:password@host") as info:
        options.settings_from(options.parse_argv(["bc", "with", str(FAST_BC), f"storage=sqlite:///x.db?{key}=s3cret"]))
    assert "s3cret" not in str(info.value)


def _files_containing(root: Path, needles: list[str]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            hits += [f"{path}: {n}" for n in needles if n.encode() in data]
    return hits


def _forms(password: str) -> list[str]:
    """The password as written, percent-encoded and JSON-escaped."""
    from urllib.parse import quote

    return list(dict.fromkeys([password, quote(password, safe=""), json.dumps(password)[1:-1]]))


def test_password_never_written(tmp_path: Path) -> None:
    """A real study (fast BC, SQLite) started from commands.py's worker line, then rerun with the password in
    the URL: the password (holding / @ : ? # %) is in no byte written under tmp_path and nothing printed.
    """
    secret = "Zq9/s@c:r?e#t%41"
    db = tmp_path / "out" / "study.db"
    url = f"sqlite://tuner:{secret}@/{db}"
    space = space_file(tmp_path)
    tune_args = f"n_trials=1 folds=[2] search_space={space} tuned_dir={tmp_path / 'tuned'} storage='{url}'"
    launcher = [
        sys.executable,
        str(REPO / "experiments" / "commands.py"),
        "--name=pw",
        "--cfg_pattern=benchmarking/fast_bc_cyber_loo1.json",
        f"--output_dir={tmp_path / 'out'}",
        f"--python={sys.executable}",
        "--tune_workers=1",
        f"--tune_args={tune_args}",
    ]
    printed = ""
    for extra in ([], ["--remote", "--array", f"--slurm_log_dir={tmp_path / 'slurm'}"]):
        res = subprocess.run([*launcher, *extra], capture_output=True, text=True, cwd=REPO, timeout=60)
        assert res.returncode == 0, res.stderr
        assert "ILAEDA_STORAGE_PASSWORD" in res.stderr
        printed += res.stdout + res.stderr
    if extra:  # the array snippet writes its .lines file: run it without sbatch
        head, body = res.stdout.split("\n", 1)
        subprocess.run(["bash", "-c", head.split(" && sbatch", 1)[0] + "\n" + body], check=True, cwd=REPO, timeout=60)
        assert "worker=0" in next((tmp_path / "slurm").glob("*.lines")).read_text()
    line = printed.splitlines()[0]
    env = {**os.environ, "OMP_NUM_THREADS": "1", PASSWORD_ENV: secret}
    res = subprocess.run(["bash", "-c", line], capture_output=True, text=True, cwd=REPO, env=env, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    printed += res.stdout + res.stderr
    assert (tmp_path / "tuned" / "bc_pw-fast_bc_cyber_loo1.json").is_file() and db.is_file()
    # the password in the URL itself, on the command line: the finished study rewrites its provenance
    res = run_tune(
        *fast_args(tmp_path, "n_trials=1", "study_name=pw-fast_bc_cyber_loo1", f"storage={url}"), cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr[-3000:]
    printed += res.stdout + res.stderr
    provenance = json.loads((tmp_path / "tuned" / "provenance" / "bc_pw-fast_bc_cyber_loo1.json").read_text())
    assert (
        provenance["storage"] == f"sqlite://tuner:***@/{db}" and "storage=sqlite://tuner:***@" in provenance["command"]
    )
    # a server that is not there: the connection error is reported without the password
    res = run_tune(*fast_args(tmp_path, f"storage=postgresql+pg8000://tuner:{secret}@127.0.0.1:9/db"), cwd=tmp_path)
    assert res.returncode == 2 and "cannot open storage postgresql+pg8000://tuner:***@127.0.0.1:9/db" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and res.stderr.startswith("tune: error:")
    printed += res.stdout + res.stderr
    assert [f for f in _forms(secret) if f in printed] == []
    assert _files_containing(tmp_path, _forms(secret)) == []


# ---------------------------------------------------------------- pruning (runs replaced by given scores)


def test_pruning_on_intermediate_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Trials whose first runs score below the median of earlier trials at that step are pruned.

    The training runs are replaced by contract-shaped results whose T-BLEU-2 / EDA-Sim follow the sampled
    ``bc.n_epochs`` (1 is bad, 3 is good): the pruner and the objective are Optuna's and ours, for real.
    """
    calls: list[tuple[int, str, int]] = []

    def fake_unit(settings: Any, number: int, params: dict, split: str, seed: int) -> dict[str, Any]:
        calls.append((number, split, seed))
        value = 0.1 * params["bc.n_epochs"]
        bench = {"t_bleu_2": {"mean": value}, "eda_sim": {"mean": value}, "length": {"mean": 5.0}}
        return {"result": {"benchmark": bench}, "run_dir": f"fake/{number}/{split}/{seed}"}

    monkeypatch.setattr(trials, "run_unit", fake_unit)
    monkeypatch.setattr(tune, "check_config", lambda settings: None)
    space = {"bc.n_epochs": {"type": "int", "low": 1, "high": 3}}
    inv = options.parse_argv(
        [
            "bc",
            "with",
            str(FAST_BC),
            f"search_space={space_file(tmp_path, space)}",
            "search_space_replace=True",
            "n_trials=8",
            "pruner_startup_trials=2",
            "pruner_warmup_steps=0",
            "sampler_seed=0",
            f"output_dir={tmp_path / 'out'}",
            f"tuned_dir={tmp_path / 'tuned'}",
            "normalise=False",
        ]
    )
    settings = options.settings_from(inv)
    study = optuna.create_study(
        study_name="bc_cyber_loo1", direction="maximize", storage=storage.make_storage(settings)[0]
    )
    for epochs in (3, 3, 1, 3, 1):  # the first two set the median; then a poor, a good and a poor one
        study.enqueue_trial({"bc.n_epochs": epochs})
    summary = tune.tune(settings)
    done = study.get_trials(deepcopy=False)
    states = {t.number: t.state.name for t in done}
    assert states[2] == "PRUNED" and states[4] == "PRUNED" and states[3] == "COMPLETE"
    assert len([c for c in calls if c[0] == 2]) == 1  # pruned after its first run
    assert len([c for c in calls if c[0] == 3]) == 6  # 3 validation splits x 2 seeds
    assert done[3].value == pytest.approx(0.3) and done[3].user_attrs["length"] == 5.0
    assert sum(s in ("COMPLETE", "PRUNED") for s in states.values()) == 8
    assert summary["best"]["params"] == {"bc.n_epochs": 3}


# ---------------------------------------------------------------- real studies (fast BC config)


def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def _check_training_datasets_only(tmp_path: Path, name: str = "bc_cyber_loo1") -> int:
    runs = list((tmp_path / "out" / "tune" / name / "sacred").glob("*/*/run.json"))
    for run_json in runs:
        config = json.loads((run_json.parent / "config.json").read_text())
        run = json.loads(run_json.read_text())
        assert config["environment"]["split"] == "cyber_loo1_val2"
        if run["status"] == "COMPLETED":
            assert run["result"]["eval_dataset"] == 2
    return len(runs)


@pytest.mark.integration
def test_two_concurrent_workers_share_one_study(tmp_path: Path) -> None:
    args = fast_args(tmp_path, "n_trials=4", "pruner=none")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ilaeda.scripts.tune", *args, f"worker={w}"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        for w in (0, 1)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    study = load_study(tmp_path)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert 4 <= len(done) <= 5  # a worker finishing its trial after the other reached 4 adds one
    assert {t.user_attrs["worker"] for t in done} == {0, 1}
    assert len({t.user_attrs["pid"] for t in done}) == 2
    for t in done:
        assert len(t.user_attrs["runs"]) == 2 and {r["seed"] for r in t.user_attrs["runs"]} == {0, 1}
        assert t.user_attrs["length"] is not None and 0 < t.user_attrs["length"] <= 12
    assert _check_training_datasets_only(tmp_path) == 2 * len(done)
    best = max(done, key=lambda t: t.value)
    tuned = json.loads((tmp_path / "tuned" / "bc_cyber_loo1.json").read_text())
    assert tuned["environment"]["split"] == "cyber_loo1"  # ready to train on 2-4 and evaluate on 1
    assert tuned["bc"]["n_epochs"] == best.params["bc.n_epochs"]
    assert tuned["bc"]["batch_size"] == best.params["bc.batch_size"]
    provenance = json.loads((tmp_path / "tuned" / "provenance" / "bc_cyber_loo1.json").read_text())
    assert provenance["best_trial"] == best.number and provenance["best_value"] == pytest.approx(best.value)
    assert provenance["validation_splits"] == ["cyber_loo1_val2"] and provenance["seeds"] == [0, 1]
    assert len(provenance["base_configs"][str(FAST_BC)]) == 64  # sha256
    assert bool(provenance["git_commit"]) == (REPO / ".git").exists()  # None outside a git checkout
    # the tuned config is a valid training config: train it (held-out dataset 1)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ilaeda.scripts.train_imitation",
            "bc",
            "--capture=sys",
            f"--file_storage={tmp_path / 'final'}",
            "with",
            str(tmp_path / "tuned" / "bc_cyber_loo1.json"),
            f"logging.log_root={tmp_path / 'final_logs'}",
            "policy_evaluation.render=False",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    run = json.loads((tmp_path / "final" / "1" / "run.json").read_text())
    assert run["status"] == "COMPLETED" and run["result"]["eval_dataset"] == 1
    # a finished study: rerunning a worker only rewrites the best config
    again = run_tune(*args, cwd=tmp_path)
    assert again.returncode == 0 and len(load_study(tmp_path).trials) == len(study.trials)


def _start_worker(args: list[str], tmp_path: Path, log: Path) -> subprocess.Popen:
    with open(log, "w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "ilaeda.scripts.tune", *args],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )


def _wait_event(proc: subprocess.Popen, log: Path, happened: Any, what: str, backstop: float = 3600) -> None:
    """Wait until ``happened()`` (an event the worker wrote); fail at once, with its stderr, if it exits.

    ``backstop`` only ends a hung worker: the test waits on events, not on how fast this machine is.
    """
    deadline = time.monotonic() + backstop
    while not happened():
        if proc.poll() is not None:
            raise AssertionError(f"the worker exited ({proc.returncode}) before {what}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"no {what} after {backstop:.0f} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def _records(journal: Path) -> int:
    return journal.read_bytes().count(b"\n") if journal.is_file() else 0


@pytest.mark.integration
def test_killed_worker_loses_no_completed_trial_and_resumes(tmp_path: Path) -> None:
    """Ctrl-C during a trial (one line, status 130), then SIGKILLs at seeded random journal records, then a
    resume: every trial completed before is kept unchanged, each counted once, and the study finishes.
    """
    import random

    args = fast_args(tmp_path, "n_trials=3", "pruner=none", "sampler_seed=1")
    journal = tmp_path / "out" / "tune" / "bc_cyber_loo1" / "journal.log"
    log = tmp_path / "worker.err"

    def running() -> bool:
        return any(t.state.name == "RUNNING" and "pid" in t.user_attrs for t in load_study(tmp_path).trials)

    proc = _start_worker(args, tmp_path, log)
    _wait_event(proc, log, lambda: _records(journal) > 0 and running(), "a running trial")
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=600) == 130, log.read_text()[-3000:]
    err = log.read_text()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().splitlines()[-1] == "tune: interrupted; finished trials are kept, rerun the command to resume"

    rng = random.Random(23)
    seen: dict[int, tuple[float, dict[str, Any]]] = {}
    for _ in range(2):
        start = _records(journal)
        moment = start + rng.randint(3, 40)  # any record: inside a trial's runs or between trials
        proc = _start_worker(args, tmp_path, log)
        try:
            _wait_event(proc, log, lambda m=moment: _records(journal) >= m, f"journal record {moment}")
        finally:
            proc.kill()
            proc.wait(timeout=60)
        study = load_study(tmp_path)
        for t in study.trials:
            if t.state.name == "COMPLETE":
                assert seen.setdefault(t.number, (t.value, t.params)) == (t.value, t.params)
    res = run_tune(*args, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    after = load_study(tmp_path)
    by_number = {t.number: t for t in after.trials}
    for number, (value, params) in seen.items():  # nothing completed was lost or changed
        assert (by_number[number].state.name, by_number[number].value, by_number[number].params) == (
            "COMPLETE",
            value,
            params,
        )
    complete = [t for t in after.trials if t.state.name == "COMPLETE"]
    assert len(complete) == 3 and not [t for t in after.trials if t.state.name == "RUNNING"]
    for t in after.trials:  # a retry runs again only what did not complete
        if "retry_of" in t.user_attrs:
            assert by_number[t.user_attrs["retry_of"]].state.name == "FAIL"
    assert json.loads(res.stdout.strip().splitlines()[-1][len("tune: ") :])["trials"]["COMPLETE"] == 3


def test_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    res = run_tune("bc", "with", str(FAST_BC), "seeds=[0]", cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.strip().splitlines() == [
        "tune: error: seeds must list at least two distinct non-negative integers, got [0]"
    ]
    res = run_tune("bc", "with", str(FAST_BC), "train.bc.n_epoch=3", "folds=[2]", cwd=tmp_path)
    assert res.returncode == 2 and "unknown config key 'bc.n_epoch'" in res.stderr and "Traceback" not in res.stderr


def test_help_prints_usage_and_exits_0(tmp_path: Path) -> None:
    res = run_tune("--help", cwd=tmp_path)
    assert res.returncode == 0 and res.stdout.startswith("usage: python -m ilaeda.scripts.tune") and res.stderr == ""
    assert "n_trials=20" in res.stdout and "train.<dotted key>=value" in res.stdout


def test_algorithm_without_a_search_space(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(spaces.SEARCH_SPACES, "dagger")
    with pytest.raises(UsageError, match=r"^dagger has no default search space \(algorithms with one: gail, airl"):
        options.settings_from(options.parse_argv(["dagger", "with", str(FAST_BC), "folds=[2]"]))


def _one_line_before_any_trial(tmp_path: Path, *extra: str) -> str:
    res = run_tune(*fast_args(tmp_path, *extra), cwd=tmp_path, timeout=300)
    assert res.returncode == 2 and res.stdout == "", res.stderr[-3000:]
    assert len(res.stderr.strip().splitlines()) == 1 and res.stderr.startswith("tune: error:")
    assert not (tmp_path / "out" / "tune").exists() or not list((tmp_path / "out" / "tune").rglob("run.json"))
    return res.stderr


def test_unwritable_paths_are_one_line_before_the_study(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    err = _one_line_before_any_trial(tmp_path, f"output_dir={tmp_path / 'afile' / 'out'}")
    assert f"output_dir={tmp_path / 'afile' / 'out'}: {tmp_path / 'afile'} is a file" in err
    err = _one_line_before_any_trial(tmp_path, f"tuned_dir={tmp_path / 'afile' / 'tuned'}")
    assert f"tuned_dir={tmp_path / 'afile' / 'tuned'}: {tmp_path / 'afile'} is a file" in err
    err = _one_line_before_any_trial(tmp_path, f"storage=sqlite:///{tmp_path / 'afile' / 'study.db'}")
    assert f"{tmp_path / 'afile'} is a file, not a folder" in err


def test_read_only_output_dir_is_one_line_before_the_study(tmp_path: Path) -> None:
    read_only = tmp_path / "ro"
    read_only.mkdir()
    if os.geteuid() == 0:  # root writes through permissions: a read-only file system instead
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(read_only)]).returncode:
            pytest.skip("root, and no read-only tmpfs can be mounted")
    else:
        read_only.chmod(0o555)
    try:
        err = _one_line_before_any_trial(tmp_path, f"output_dir={read_only / 'out'}")
        assert f"the folder {read_only} is not writable" in err
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(read_only)], check=False)


def test_full_disk_at_start_is_one_line(tmp_path: Path) -> None:
    """A tmpfs with no room left as ``output_dir``: one line (exit 1), no traceback, no partial journal."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)]).returncode:
        pytest.skip("cannot mount a tmpfs here (tests/tuning/test_journal.py simulates ENOSPC)")
    try:
        fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"x" * 512)
        except OSError:
            pass
        finally:
            os.close(fd)
        res = run_tune(*fast_args(tmp_path, f"output_dir={disk / 'out'}"), cwd=tmp_path)
        assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr[-3000:]
        assert res.stderr.strip().splitlines()[-1].startswith("tune: error: cannot write the study journal")
        assert "the disk is full" in res.stderr
        journal = disk / "out" / "tune" / "bc_cyber_loo1" / "journal.log"
        assert not journal.exists() or journal.read_bytes() in (b"",) or journal.read_bytes().endswith(b"\n")
    finally:
        subprocess.run(["umount", str(disk)], check=False)
