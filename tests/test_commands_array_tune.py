"""experiments/commands.py: Slurm job arrays (``--remote --array``) and tuning-worker lines
(``--tune_workers``) — generated text, errors, resuming, and for real: a grid as one array job on the local
Slurm fixture (tests/slurm.py), and a tuning study run by 2 concurrent local workers (GNU parallel) and by
2 Slurm array tasks.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from script_modules import load

from ilaeda.contract import ALGORITHMS

REPO = Path(__file__).resolve().parents[1]
COMMANDS = REPO / "experiments" / "commands.py"
FAKE_DIR = REPO / "tests" / "analysis"
ALGOS = tuple(ALGORITHMS)


commands = load("ilaeda_experiments_commands", COMMANDS)
fake = load("fake_training", FAKE_DIR / "fake_training.py")
slurm = load("ilaeda_tests_slurm", REPO / "tests" / "slurm.py")


def run_commands(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(COMMANDS), *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def write_configs(directory: Path, names: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / f"{name}.json").write_text(json.dumps({"split": "cyber_loo" + name[-1]}))


def split_snippet(text: str) -> tuple[list[str], list[str]]:
    """The array snippet's first line (argv) and its heredoc body lines."""
    lines = text.rstrip("\n").split("\n")
    assert lines[-1] == commands.ARRAY_DELIMITER
    return shlex.split(lines[0]), lines[1:-1]


# ---------------------------------------------------------------- generated text


def test_array_snippet(tmp_path: Path) -> None:
    write_configs(tmp_path / "cfg", ["gail_cyber_loo1", "bc_cyber_loo2"])
    base = ["--name=g0", "--cfg_pattern=cfg/*.json", "--seeds", "0,1", "--output_dir=out dir", "--venv=/opt/v"]
    single = run_commands(*base, "--remote", cwd=tmp_path).stdout.splitlines()
    res = run_commands(
        *base,
        "--remote",
        "--array",
        "--array_throttle=3",
        "--mem=2G",
        "--partition=cpu",
        "--sbatch_args=--account=lab",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    argv, body = split_snippet(res.stdout)
    lines_file = argv[6]
    assert re.fullmatch(r"out dir/slurm/g0-array-[0-9a-f]{12}\.lines", lines_file)
    assert argv[:9] == ["mkdir", "-p", "out dir/slurm", "&&", "cat", ">", lines_file, "<<ILAEDA_ARRAY_LINES", "&&"]
    assert argv[9:-1] == [
        "sbatch",
        "--job-name=g0",
        "--array=0-3%3",
        "--cpus-per-task=1",
        "--mem=2G",
        "--time=24:00:00",
        "--partition=cpu",
        "--output=out dir/slurm/g0.%A_%a.out",
        "--error=out dir/slurm/g0.%A_%a.err",
        "--account=lab",
    ]
    assert argv[-1] == f'--wrap=eval "$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" {shlex.quote(lines_file)})"'
    # the array's lines are exactly what the single sbatch jobs would wrap, in the same order
    assert body == [shlex.split(line)[-1][len("--wrap=") :] for line in single]
    # named by content: same grid, same file; another grid, another file
    assert (
        run_commands(
            *base,
            "--remote",
            "--array",
            "--array_throttle=3",
            "--mem=2G",
            "--partition=cpu",
            "--sbatch_args=--account=lab",
            cwd=tmp_path,
        ).stdout
        == res.stdout
    )
    other = split_snippet(run_commands(*base[:3], "0", *base[4:], "--remote", "--array", cwd=tmp_path).stdout)
    assert other[0][6] != lines_file and "--array=0-1" in other[0]


def test_tune_worker_lines(tmp_path: Path) -> None:
    write_configs(tmp_path / "cfg", ["bcgail_cyber_loo1", "fast_bc_cyber_loo2"])
    res = run_commands(
        "--name=t0",
        "--cfg_pattern=cfg/*.json",
        "--output_dir=out",
        "--tune_workers=2",
        "--tune_args=n_trials=30 seeds=[0,1,2] storage=postgresql://tuner@db/optuna",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    lines = [shlex.split(x) for x in res.stdout.splitlines()]
    assert lines[0] == [
        "python",
        "-m",
        "ilaeda.scripts.tune",
        "bcgail",
        "with",
        "cfg/bcgail_cyber_loo1.json",
        "study_name=t0-bcgail_cyber_loo1",
        "output_dir=out",
        "worker=0",
        "n_trials=30",
        "seeds=[0,1,2]",
        "storage=postgresql://tuner@db/optuna",
    ]
    assert [x[8] for x in lines] == ["worker=0", "worker=1"]  # fast_* needs a fast pattern: left out
    fast = run_commands(
        "--name=t0",
        "--cfg_pattern=cfg/fast_*.json",
        "--output_dir=out",
        "--tune_workers=3",
        "--remote",
        "--array",
        cwd=tmp_path,
    )
    argv, body = split_snippet(fast.stdout)
    assert "--array=0-2" in argv and [shlex.split(b)[3] for b in body] == ["bc"] * 3
    assert [shlex.split(b)[8] for b in body] == ["worker=0", "worker=1", "worker=2"]
    remote = run_commands(
        "--name=t0", "--cfg_pattern=cfg/b*.json", "--output_dir=out", "--tune_workers=2", "--remote", cwd=tmp_path
    ).stdout.splitlines()
    assert len(remote) == 2 and "--job-name=t0-bcgail_cyber_loo1-w1" in shlex.split(remote[1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--array"], "--array submits a Slurm job array: add --remote"),
        (["--remote", "--array_throttle=2"], "--array_throttle needs --array"),
        (["--remote", "--array", "--array_throttle=0"], "--array_throttle needs --array"),
        (["--tune_args=n_trials=3"], "--tune_args needs --tune_workers"),
        (["--tune_workers=-1"], "--tune_workers must not be negative"),
        (["--tune_workers=2", "--seeds=0,1"], "--seeds does not apply to tune workers"),
        (["--tune_workers=2", "--skip_completed"], "--skip_completed does not apply"),
        (
            ["--tune_workers=2", "--tune_args=storage=postgresql://me@db/x?PassWord=hunter2"],
            "in the storage URL's query",
        ),
        (["--tune_workers=2", "--tune_args=postgresql://me:hunter2@db/x"], "is not key=value"),
        (["--tune_workers=2", "--tune_args=n_trials"], "is not key=value"),
        (["--tune_workers=2", "--tune_args=worker=3"], "worker is set by commands.py"),
        (["--tune_workers=2", "--tune_args='"], "--tune_args"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    write_configs(tmp_path, ["gail_cyber_loo1"])
    res = run_commands("--name=r", "--output_dir=o", "--cfg_pattern=*.json", *args, cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1 and res.stderr.startswith("commands.py: error:")
    assert message in res.stderr and "hunter2" not in res.stderr


@pytest.mark.parametrize("password", ["s3/cret", "s3@cret", "s3:cret", "s3?cret", "s3#cret", "s3%cret", "a/@:?#%b"])
def test_tune_worker_lines_leave_the_password_out(tmp_path: Path, password: str) -> None:
    write_configs(tmp_path / "cfg", ["gail_cyber_loo1"])
    base = ["--name=t0", "--cfg_pattern=cfg/*.json", "--output_dir=out", "--tune_workers=2"]
    url = f"postgresql://tuner:{password}@db:5432/optuna?sslmode=require"
    for extra in ([], ["--remote"], ["--remote", "--array"]):
        res = run_commands(*base, f"--tune_args=n_trials=3 storage='{url}'", *extra, cwd=tmp_path)
        assert res.returncode == 0 and "set ILAEDA_STORAGE_PASSWORD" in res.stderr
        assert "cret" not in res.stdout + res.stderr and password not in res.stdout + res.stderr
        assert res.stdout.count("storage=postgresql://tuner@db:5432/optuna?sslmode=require") == 2


def test_array_resumes_with_skip_completed(tmp_path: Path) -> None:
    write_configs(tmp_path / "cfg", ["gail_cyber_loo1", "bc_cyber_loo1"])
    out = tmp_path / "out"
    gail = tmp_path / "cfg" / "gail_cyber_loo1.json"
    fake.make_run(out / "sacred" / "run0-gail_cyber_loo1-s0", "gail", name="run0", cfg=gail, seed=0)
    base = ["--name=run0", "--cfg_pattern=cfg/*.json", "--seeds=0,1", "--output_dir=out", "--remote", "--array"]
    argv, body = split_snippet(run_commands(*base, "--skip_completed", cwd=tmp_path).stdout)
    assert "--array=0-2" in argv and not any("gail_cyber_loo1-s0 " in b for b in body)
    assert len(split_snippet(run_commands(*base, cwd=tmp_path).stdout)[1]) == 4


# ---------------------------------------------------------------- for real


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    slurm.require_slurm()
    cluster = slurm.SlurmCluster(tmp_path_factory.mktemp("slurm"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def fake_scripts(tmp_path: Path) -> dict[str, str]:
    """A ``fakescripts`` package whose train_* modules run the stand-in experiment; returns the env."""
    pkg = tmp_path / "pkgs" / "fakescripts"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for script in ("train_adversarial", "train_imitation"):
        (pkg / f"{script}.py").write_text("import fake_training\n\nfake_training.main()\n")
    path = os.pathsep.join([str(FAKE_DIR), str(pkg.parent), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1"}


def _array_states(cluster: Any, job: int) -> list[str]:
    out = subprocess.run(["scontrol", "show", "job", str(job)], capture_output=True, text=True, env=cluster.env).stdout
    return re.findall(r"JobState=(\S+)", out)


def _wait_array(cluster: Any, job: int, n_tasks: int, timeout: float) -> list[str]:
    deadline = time.time() + timeout
    while True:
        states = _array_states(cluster, job)
        if len(states) == n_tasks and all(s in slurm.FINAL_STATES for s in states):
            return states
        if time.time() > deadline:
            raise TimeoutError(f"array job {job} not done after {timeout} s: {states}\n{cluster.logs()}")
        time.sleep(0.5)


def _submit_array(snippet: str, cwd: Path, env: dict[str, str]) -> int:
    res = subprocess.run(["bash"], input=snippet, text=True, cwd=cwd, env=env, capture_output=True, timeout=120)
    assert res.returncode == 0, res.stderr
    jobs = slurm.submitted_job_ids(res.stdout)
    assert len(jobs) == 1, res.stdout + res.stderr
    return jobs[0]


def _runs(out: Path) -> list[dict]:
    found = []
    for run_json in sorted((out / "sacred").glob("*/*/run.json")):
        run = json.loads(run_json.read_text())
        run["_dir"] = run_json.parent
        found.append(run)
    return found


@pytest.mark.integration
def test_fake_grid_as_one_throttled_array_job_resumes(
    tmp_path: Path, fake_scripts: dict[str, str], slurm_cluster: Any
) -> None:
    work = tmp_path / "work dir"
    write_configs(work / "benchmarking", [f"fast_{a}_cyber_loo1" for a in ALGOS])
    base = [
        "--name=arr",
        "--cfg_pattern=benchmarking/fast_*.json",
        "--seeds=0,1",
        "--output_dir=out put",
        "--remote",
        "--array",
        "--array_throttle=2",
        f"--venv={sys.prefix}",
        "--mem=500M",
        "--time=00:10:00",
        "--scripts_package=fakescripts",
    ]
    env = {**fake_scripts, "SLURM_CONF": slurm_cluster.env["SLURM_CONF"]}
    # an interrupted grid: 4 of the 10 runs are done already
    lines = run_commands(
        *[a for a in base if a not in ("--remote", "--array", "--array_throttle=2")],
        f"--python={sys.executable}",
        cwd=work,
    ).stdout.splitlines()
    assert len(lines) == 10
    for line in lines[:4]:
        assert subprocess.run(line, shell=True, cwd=work, env=fake_scripts, capture_output=True).returncode == 0
    snippet = run_commands(*base, f"--python={sys.executable}", "--skip_completed", cwd=work)
    assert "4 of 10 runs already completed; 6 to go" in snippet.stderr
    job = _submit_array(snippet.stdout, work, env)
    states = _wait_array(slurm_cluster, job, 6, timeout=300)
    assert states == ["COMPLETED"] * 6, slurm_cluster.logs()
    runs = _runs(work / "out put")
    assert len(runs) == 10 and all(r["status"] == "COMPLETED" for r in runs)
    logs = sorted(p.name for p in (work / "out put" / "slurm").iterdir() if p.suffix in (".out", ".err"))
    assert logs == sorted(f"arr.{job}_{i}.{ext}" for i in range(6) for ext in ("out", "err"))
    assert run_commands(*base, f"--python={sys.executable}", "--skip_completed", cwd=work).stdout == ""


def _load_study(out: Path, name: str) -> Any:
    import optuna

    path = str(out / "tune" / name / "journal.log")
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(path, lock_obj=optuna.storages.journal.JournalFileOpenLock(path))
    )
    return optuna.load_study(study_name=name, storage=storage)


def _tune_args(tmp_path: Path) -> str:
    space = tmp_path / "space.json"
    space.write_text(
        json.dumps(
            {
                "bc.n_epochs": {"type": "int", "low": 1, "high": 3},
                "bc.batch_size": None,
                "bc.optimizer_kwargs.lr": None,
                "bc.ent_weight": None,
            }
        )
    )
    return f"n_trials=3 folds=[2] pruner=none search_space={space} tuned_dir={tmp_path / 'tuned'}"


def _check_study(out: Path, tmp_path: Path) -> None:
    study = _load_study(out, "tn-fast_bc_cyber_loo1")
    done = [t for t in study.trials if t.state.name == "COMPLETE"]
    assert 3 <= len(done) <= 4 and len({t.user_attrs["pid"] for t in done}) == 2
    assert {t.user_attrs["worker"] for t in done} == {0, 1}
    tuned = json.loads((tmp_path / "tuned" / "bc_tn-fast_bc_cyber_loo1.json").read_text())
    assert tuned["bc"]["n_epochs"] == max(done, key=lambda t: t.value).params["bc.n_epochs"]


@pytest.mark.integration
def test_tune_study_with_two_parallel_workers(tmp_path: Path) -> None:
    slurm.require_tools("parallel")
    out = tmp_path / "out"
    lines = run_commands(
        "--name=tn",
        "--cfg_pattern=benchmarking/fast_bc_cyber_loo1.json",
        f"--output_dir={out}",
        f"--python={sys.executable}",
        "--tune_workers=2",
        f"--tune_args={_tune_args(tmp_path)}",
        cwd=REPO,
    ).stdout
    assert len(lines.splitlines()) == 2
    res = subprocess.run(
        ["parallel", "--halt", "never", "-j", "2"],
        input=lines,
        text=True,
        cwd=REPO,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        capture_output=True,
        timeout=900,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    _check_study(out, tmp_path)


@pytest.mark.integration
def test_tune_study_with_two_slurm_array_tasks(tmp_path: Path, slurm_cluster: Any) -> None:
    out = tmp_path / "out"
    snippet = run_commands(
        "--name=tn",
        "--cfg_pattern=benchmarking/fast_bc_cyber_loo1.json",
        f"--output_dir={out}",
        f"--python={sys.executable}",
        "--tune_workers=2",
        f"--tune_args={_tune_args(tmp_path)}",
        "--remote",
        "--array",
        f"--venv={sys.prefix}",
        "--mem=2G",
        "--time=00:20:00",
        cwd=REPO,
    )
    assert snippet.returncode == 0, snippet.stderr
    env = {**os.environ, "OMP_NUM_THREADS": "1", **slurm_cluster.env}
    job = _submit_array(snippet.stdout, REPO, env)
    states = _wait_array(slurm_cluster, job, 2, timeout=900)
    assert states == ["COMPLETED", "COMPLETED"], (
        slurm_cluster.logs(),
        [p.read_text()[-2000:] for p in (out / "slurm").glob("*.err")],
    )
    _check_study(out, tmp_path)
