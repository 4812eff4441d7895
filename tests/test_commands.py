"""experiments/commands.py: generated lines (exact text, quoting, errors, resuming), and the lines
executed for real under GNU parallel and a local single-node Slurm.

Integration tests first run the machinery with a stand-in Sacred experiment (tests/analysis/
fake_training.py, behind a throw-away ``fakescripts`` package), then the real training scripts on the
fast configs ``benchmarking/fast_*_cyber*.json`` (skipped while those do not exist).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import shutil
import socket
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


def run_commands(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(COMMANDS), *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def write_configs(directory: Path, names: list[str], content: dict | None = None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        split = "cyber_loo" + name.rsplit("loo", 1)[-1] if "loo" in name else "cyber_loo1"
        (directory / f"{name}.json").write_text(json.dumps(content if content is not None else {"split": split}))


def fake_grid_configs(directory: Path, splits: tuple[int, ...] = (1, 2)) -> None:
    write_configs(directory, [f"fast_{a}_cyber_loo{k}" for a in ALGOS for k in splits])


# ---------------------------------------------------------------- parsing, naming (in-process)


@pytest.mark.parametrize(
    ("tokens", "seeds"),
    [
        (["0,1,2"], [0, 1, 2]),
        (["0", "1", "2"], [0, 1, 2]),
        (["0,1", "2"], [0, 1, 2]),
        (["3, 1", "1"], [3, 1]),
        (["7"], [7]),
    ],
)
def test_parse_seeds(tokens: list[str], seeds: list[int]) -> None:
    assert commands.parse_seeds(tokens) == seeds


@pytest.mark.parametrize("tokens", [["a"], ["1.5"], ["-1"], [","], [""], ["0,x"]])
def test_parse_seeds_rejects(tokens: list[str]) -> None:
    with pytest.raises(commands.UsageError, match="--seeds"):
        commands.parse_seeds(tokens)


@pytest.mark.parametrize(
    ("name", "token"),
    [
        ("benchmarking/gail_cyber_loo1.json", "gail"),
        ("airl_cyber_loo2.json", "airl"),
        ("bc_x.json", "bc"),
        ("dagger_cyber_loo4.json", "dagger"),
        ("bcgail_cyber_loo1.json", "bcgail"),
        ("fast_gail_cyber_loo1.json", "gail"),
        ("fast_bcgail_cyber_loo2.json", "bcgail"),
        ("d/fast_bc.json", "bc"),
    ],
)
def test_algo_token(name: str, token: str) -> None:
    assert commands.algo_token(name) == token


@pytest.mark.parametrize(
    "name",
    [
        "abc_cyber.json",
        "gail2_cyber.json",
        "xgail_cyber.json",
        "fast.json",
        "fast_x_cyber.json",
        "fastgail_cyber.json",
        "gail-cyber.json",
        "cyber_gail.json",
    ],
)
def test_algo_token_rejects(name: str) -> None:
    with pytest.raises(commands.UsageError, match="cannot tell the algorithm"):
        commands.algo_token(name)


def test_script_and_command_per_algorithm() -> None:
    assert commands.ALGORITHMS == {
        "gail": ("train_adversarial", "gail"),
        "airl": ("train_adversarial", "airl"),
        "bc": ("train_imitation", "bc"),
        "dagger": ("train_imitation", "dagger"),
        "bcgail": ("train_adversarial", "gail"),
    }


# ---------------------------------------------------------------- generated text (subprocess)


def test_local_lines_exact_and_sorted(tmp_path: Path) -> None:
    write_configs(tmp_path / "cfg", ["gail_cyber_loo1", "bc_cyber_loo2", "bcgail_cyber_loo1", "dagger_cyber_loo1"])
    res = run_commands("--name=run0", "--cfg_pattern=cfg/*.json", "--seeds", "0,1", "--output_dir=out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 8
    assert lines[0] == (
        "python -m ilaeda.scripts.train_imitation bc --capture=sys --name=run0 "
        "--file_storage=out/sacred/run0-bc_cyber_loo2-s0 with cfg/bc_cyber_loo2.json seed=0 logging.log_root=out"
    )
    assert lines[2] == (
        "python -m ilaeda.scripts.train_adversarial gail --capture=sys --name=run0 "
        "--file_storage=out/sacred/run0-bcgail_cyber_loo1-s0 with cfg/bcgail_cyber_loo1.json seed=0 "
        "logging.log_root=out"
    )
    configs = [shlex.split(line)[8] for line in lines]
    assert configs == sorted(configs)
    assert [shlex.split(line)[9] for line in lines[:2]] == ["seed=0", "seed=1"]
    assert "$USER" not in res.stdout


def test_seeds_space_and_comma_forms_agree(tmp_path: Path) -> None:
    write_configs(tmp_path, ["gail_cyber_loo1"])
    a = run_commands("--name=r", "--cfg_pattern=*.json", "--seeds", "0,1,2", "--output_dir=o", cwd=tmp_path)
    b = run_commands("--name=r", "--cfg_pattern=*.json", "--seeds", "0", "1", "2", "--output_dir=o", cwd=tmp_path)
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout and len(a.stdout.splitlines()) == 3


def test_paths_with_spaces_are_quoted(tmp_path: Path) -> None:
    write_configs(tmp_path / "my cfgs", ["airl_cyber_loo1"])
    res = run_commands(
        "--name=r", "--cfg_pattern=my cfgs/*.json", "--output_dir=out dir", "--python=/opt/my py/python", cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr
    argv = shlex.split(res.stdout.strip())
    assert argv == [
        "/opt/my py/python",
        "-m",
        "ilaeda.scripts.train_adversarial",
        "airl",
        "--capture=sys",
        "--name=r",
        "--file_storage=out dir/sacred/r-airl_cyber_loo1-s0",
        "with",
        "my cfgs/airl_cyber_loo1.json",
        "seed=0",
        "logging.log_root=out dir",
    ]


def test_output_dir_that_sacred_would_parse_as_a_literal_stays_a_string(tmp_path: Path) -> None:
    write_configs(tmp_path, ["bc_cyber_loo1"])
    res = run_commands("--name=r", "--cfg_pattern=*.json", "--output_dir=123", cwd=tmp_path)
    assert shlex.split(res.stdout)[-1] == 'logging.log_root="123"'


def test_fast_configs_only_when_asked_for(tmp_path: Path) -> None:
    write_configs(tmp_path, ["gail_cyber_loo1", "fast_gail_cyber_loo1", "fast_bc_cyber_loo1"])
    full = run_commands("--name=r", "--cfg_pattern=*_cyber_loo*.json", "--output_dir=o", cwd=tmp_path)
    assert [shlex.split(x)[8] for x in full.stdout.splitlines()] == ["gail_cyber_loo1.json"]
    fast = run_commands("--name=r", "--cfg_pattern=fast_*.json", "--output_dir=o", cwd=tmp_path)
    assert len(fast.stdout.splitlines()) == 2
    excluded = run_commands("--name=r", "--cfg_pattern=fast_*.json", "--exclude=*_bc_*", "--output_dir=o", cwd=tmp_path)
    assert [shlex.split(x)[8] for x in excluded.stdout.splitlines()] == ["fast_gail_cyber_loo1.json"]


def test_remote_lines(tmp_path: Path) -> None:
    write_configs(tmp_path / "cfg", ["dagger_cyber_loo3"])
    res = run_commands(
        "--name=run0",
        "--cfg_pattern=cfg/*.json",
        "--seeds=4",
        "--output_dir=out dir",
        "--remote",
        "--cpus_per_task=2",
        "--mem=8G",
        "--time=01:00:00",
        "--partition=cpu",
        "--venv=/opt/venv",
        "--container=img.sif",
        "--sbatch_args=--account=lab --qos=low",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    argv = shlex.split(res.stdout.strip())
    cmd_id = "run0-dagger_cyber_loo3-s4"
    assert argv[:5] == ["mkdir", "-p", "out dir/slurm", "&&", "sbatch"]
    assert argv[5:-1] == [
        f"--job-name={cmd_id}",
        "--cpus-per-task=2",
        "--mem=8G",
        "--time=01:00:00",
        "--partition=cpu",
        f"--output=out dir/slurm/{cmd_id}.%j.out",
        f"--error=out dir/slurm/{cmd_id}.%j.err",
        "--account=lab",
        "--qos=low",
    ]
    wrap = argv[-1]
    assert wrap.startswith("--wrap=")
    inner = shlex.split(wrap[len("--wrap=") :])
    assert inner[:6] == [".", "/opt/venv/bin/activate", "&&", "apptainer", "exec", "img.sif"]
    assert inner[6:] == [
        "python",
        "-m",
        "ilaeda.scripts.train_imitation",
        "dagger",
        "--capture=sys",
        "--name=run0",
        f"--file_storage=out dir/sacred/{cmd_id}",
        "with",
        "cfg/dagger_cyber_loo3.json",
        "seed=4",
        "logging.log_root=out dir",
    ]


def test_remote_defaults_have_no_partition_or_wrappers(tmp_path: Path) -> None:
    write_configs(tmp_path, ["gail_cyber_loo1"])
    res = run_commands("--name=r", "--cfg_pattern=*.json", "--output_dir=o", "--remote", cwd=tmp_path)
    argv = shlex.split(res.stdout)
    assert "--cpus-per-task=1" in argv and "--mem=4G" in argv and "--time=24:00:00" in argv
    assert not any(a.startswith("--partition") for a in argv)
    assert argv[-1].startswith("--wrap=python -m ilaeda.scripts.train_adversarial gail ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cfg_pattern=nothing*.json"], "no config file matches"),
        (["--cfg_pattern=*.json"], "cannot tell the algorithm of 'abc_cyber.json'"),
        (["--cfg_pattern=g*.json", "--seeds", "0,a"], "--seeds: 'a'"),
        (["--cfg_pattern=g*.json", "--seeds", ","], "--seeds: no seed"),
        (["--cfg_pattern=g*.json", "--name=has space"], "--name="),
        (["--cfg_pattern=g*.json", "--cpus_per_task=0"], "--cpus_per_task"),
        (["--cfg_pattern=g*.json", "--sbatch_args='"], "--sbatch_args"),
        (["--cfg_pattern=g*.json", "--bogus"], "unrecognized arguments"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    write_configs(tmp_path, ["gail_cyber_loo1", "abc_cyber"])
    base = ["--name=r", "--output_dir=o"]
    res = run_commands(*base, *args, cwd=tmp_path)
    assert res.returncode == 2
    assert res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert res.stderr.startswith("commands.py: error:") and message in res.stderr
    assert "Traceback" not in res.stderr


def test_missing_required_flags_exit_2(tmp_path: Path) -> None:
    res = run_commands(cwd=tmp_path)
    assert res.returncode == 2 and res.stderr.strip().count("\n") == 0
    assert "--name" in res.stderr and "--output_dir" in res.stderr


def test_same_config_name_in_two_dirs_is_an_error(tmp_path: Path) -> None:
    write_configs(tmp_path / "a", ["gail_cyber_loo1"])
    write_configs(tmp_path / "b", ["gail_cyber_loo1"])
    res = run_commands("--name=r", "--cfg_pattern=*/*.json", "--output_dir=o", cwd=tmp_path)
    assert res.returncode == 2 and "same file name" in res.stderr


# ---------------------------------------------------------------- --skip_completed (real Sacred runs)


def _sacred_run(cfg: Path, storage: Path, name: str, seed: int, **updates: object) -> None:
    command = commands.ALGORITHMS[commands.algo_token(cfg.name)][1]
    fake.make_run(storage, command, name=name, cfg=cfg, seed=seed, **updates)


def test_skip_completed_omits_only_completed_runs(tmp_path: Path) -> None:
    write_configs(tmp_path / "cfg", ["gail_cyber_loo1", "bc_cyber_loo1"])
    out = tmp_path / "out"
    gail, bc = tmp_path / "cfg" / "gail_cyber_loo1.json", tmp_path / "cfg" / "bc_cyber_loo1.json"
    _sacred_run(gail, out / "sacred" / "run0-gail_cyber_loo1-s0", "run0", 0)  # completed
    _sacred_run(gail, out / "sacred" / "run0-gail_cyber_loo1-s1", "run0", 1, fail=True)  # failed
    _sacred_run(bc, out / "sacred" / "run0-bc_cyber_loo1-s0", "run0", 0, interrupt=True)  # interrupted
    _sacred_run(bc, out / "sacred" / "other-bc_cyber_loo1-s1", "other", 1)  # completed, other name
    corrupt = out / "sacred" / "run0-bc_cyber_loo1-s1"
    _sacred_run(bc, corrupt, "run0", 1)
    (corrupt / "1" / "run.json").write_text('{"status": "COMPL')  # completed, then corrupted

    res = run_commands(
        "--name=run0", "--cfg_pattern=cfg/*.json", "--seeds=0,1", "--output_dir=out", "--skip_completed", cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr
    ids = [shlex.split(line)[6].rsplit("/", 1)[-1] for line in res.stdout.splitlines()]
    assert ids == ["run0-bc_cyber_loo1-s0", "run0-bc_cyber_loo1-s1", "run0-gail_cyber_loo1-s1"]
    assert "1 of 4 runs already completed; 3 to go" in res.stderr
    # without the flag every run is listed
    res = run_commands("--name=run0", "--cfg_pattern=cfg/*.json", "--seeds=0,1", "--output_dir=out", cwd=tmp_path)
    assert len(res.stdout.splitlines()) == 4


def test_skip_completed_leaves_out_a_live_run_but_not_a_dead_one(tmp_path: Path) -> None:
    import datetime

    write_configs(tmp_path / "cfg", ["gail_cyber_loo1"])
    gail = tmp_path / "cfg" / "gail_cyber_loo1.json"
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    for seed, age_s in ((0, 5), (1, 10 * 60)):  # seed 0 beat 5 s ago (alive); seed 1 10 min ago (killed)
        storage = tmp_path / "out" / "sacred" / f"run0-gail_cyber_loo1-s{seed}"
        _sacred_run(gail, storage, "run0", seed)
        run_json = storage / "1" / "run.json"
        run = json.loads(run_json.read_text())
        heartbeat = (now - datetime.timedelta(seconds=age_s)).isoformat()
        run.update(status="RUNNING", result=None, heartbeat=heartbeat, stop_time=None)
        run_json.write_text(json.dumps(run))
    res = run_commands(
        "--name=run0", "--cfg_pattern=cfg/*.json", "--seeds=0,1", "--output_dir=out", "--skip_completed", cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr
    assert [line.split("-s")[-1].split()[0] for line in res.stdout.splitlines()] == ["1"]
    assert "0 of 2 runs already completed, 1 still running (a heartbeat within 60 s" in res.stderr


def test_is_alive_reads_sacreds_utc_heartbeat() -> None:
    import datetime

    now = datetime.datetime(2026, 1, 1, 12, 0, 0)
    beat = (now - datetime.timedelta(seconds=commands.FRESH_HEARTBEAT_S - 1)).isoformat()
    assert commands.FRESH_HEARTBEAT_S == 6 * commands.SACRED_BEAT_INTERVAL_S
    assert commands.is_alive({"status": "RUNNING", "heartbeat": beat}, now)
    assert not commands.is_alive({"status": "RUNNING", "heartbeat": "2026-01-01T11:58:00"}, now)
    assert not commands.is_alive({"status": "FAILED", "heartbeat": beat}, now)
    assert not commands.is_alive({"status": "RUNNING", "heartbeat": None}, now)
    assert commands.is_alive({"status": "RUNNING", "heartbeat": None, "start_time": beat}, now)  # no beat yet
    assert not commands.is_alive({"status": "RUNNING", "heartbeat": "yesterday"}, now)
    here = socket.gethostname()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = {"hostname": here, "pid": int(gone.stdout)}  # a process that has ended: killed a moment ago
    assert not commands.is_alive({"status": "RUNNING", "heartbeat": beat, "host": dead}, now)
    assert commands.is_alive(
        {"status": "RUNNING", "heartbeat": beat, "host": {"hostname": here, "pid": os.getpid()}}, now
    )
    assert commands.is_alive({"status": "RUNNING", "heartbeat": beat, "host": {**dead, "hostname": "elsewhere"}}, now)


def test_write_problem_sees_a_read_only_file_system_and_missing_permission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    assert commands.write_problem(str(tmp_path)) is None
    monkeypatch.setattr(commands.os, "statvfs", lambda _: SimpleNamespace(f_flag=os.ST_RDONLY))
    assert commands.write_problem(str(tmp_path)) == "is on a read-only file system"
    monkeypatch.setattr(commands.os, "statvfs", lambda _: SimpleNamespace(f_flag=0))
    monkeypatch.setattr(commands.os, "access", lambda *_: False)
    assert commands.write_problem(str(tmp_path)) == "is not writable (permission denied)"
    with pytest.raises(commands.UsageError, match="is not writable"):
        commands.check_output_dir(str(tmp_path / "new" / "output"))


def test_output_dir_on_a_read_only_mount_is_refused(tmp_path: Path) -> None:
    write_configs(tmp_path / "cfg", ["gail_cyber_loo1"])
    ro = tmp_path / "ro"
    ro.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(ro)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(
            f"cannot mount a read-only tmpfs here ({mounted.stderr.decode().strip()}); write_problem's unit test covers the check"
        )
    try:
        res = run_commands("--name=r", "--cfg_pattern=cfg/*.json", f"--output_dir={ro / 'out'}", cwd=tmp_path)
    finally:
        subprocess.run(["umount", str(ro)], check=True)
    assert res.returncode == 2 and res.stdout == "" and res.stderr.count("\n") == 1, res.stderr
    assert f"{ro} is on a read-only file system; choose a writable folder" in res.stderr


# ---------------------------------------------------------------- executing the lines (integration)


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


def _runs(out: Path) -> list[dict]:
    """run.json of every Sacred run under ``out/sacred`` (with ``_dir``, ``_config`` added)."""
    found = []
    for run_json in sorted((out / "sacred").glob("*/*/run.json")):
        run = json.loads(run_json.read_text())
        run["_dir"] = run_json.parent
        run["_config"] = json.loads((run_json.parent / "config.json").read_text())
        found.append(run)
    return found


def _parallel(lines: str, cwd: Path, env: dict[str, str], jobs: int = 4, timeout: int = 840) -> None:
    res = subprocess.run(
        ["parallel", "--halt", "never", "-j", str(jobs)],
        input=lines,
        text=True,
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=timeout,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]


@pytest.mark.integration
def test_fake_grid_under_parallel_resumes(tmp_path: Path, fake_scripts: dict[str, str]) -> None:
    slurm.require_tools("parallel")
    fake_grid_configs(tmp_path / "benchmarking")
    base = [
        "--name=grid",
        "--cfg_pattern=benchmarking/fast_*.json",
        "--seeds",
        "0,1",
        "--output_dir=out",
        f"--python={sys.executable}",
        "--scripts_package=fakescripts",
    ]
    lines = run_commands(*base, cwd=tmp_path).stdout.splitlines()
    assert len(lines) == 20
    # an interrupted grid: half of it ran, and one run of the other half failed
    _parallel("\n".join(lines[:10]) + "\n", tmp_path, fake_scripts)
    failing = subprocess.run(
        lines[10] + " fail=True", shell=True, cwd=tmp_path, env=fake_scripts, capture_output=True, text=True
    )
    assert failing.returncode != 0
    todo = run_commands(*base, "--skip_completed", cwd=tmp_path)
    assert todo.stdout.splitlines() == lines[10:]
    _parallel(todo.stdout, tmp_path, fake_scripts)
    assert run_commands(*base, "--skip_completed", cwd=tmp_path).stdout == ""

    runs = _runs(tmp_path / "out")
    completed = [r for r in runs if r["status"] == "COMPLETED"]
    assert len(runs) == 21 and len(completed) == 20
    got = sorted(
        (r["_dir"].parent.name, r["result"]["algo"], r["result"]["split"], r["_config"]["seed"]) for r in completed
    )
    want = sorted(
        (f"grid-fast_{a}_cyber_loo{k}-s{s}", "gail" if a == "bcgail" else a, f"cyber_loo{k}", s)
        for a in ALGOS
        for k in (1, 2)
        for s in (0, 1)
    )
    assert got == want
    assert all(r["experiment"]["name"] == "grid" for r in runs)
    assert all(Path(tmp_path, r["_config"]["logging"]["log_dir"], "progress.csv").is_file() for r in completed)


@pytest.mark.integration
def test_eight_concurrent_runs_into_one_output_dir(tmp_path: Path, fake_scripts: dict[str, str]) -> None:
    """Eight runs at once: four seeds, each submitted twice (so two runs race for ids in one dir)."""
    slurm.require_tools("parallel")
    write_configs(tmp_path, ["fast_gail_cyber_loo1"])
    lines = run_commands(
        "--name=c8",
        "--cfg_pattern=fast_*.json",
        "--seeds",
        "0 1 2 3",
        "--output_dir=out",
        f"--python={sys.executable}",
        "--scripts_package=fakescripts",
        cwd=tmp_path,
    ).stdout
    _parallel(lines + lines, tmp_path, fake_scripts, jobs=8)
    runs = _runs(tmp_path / "out")
    assert len(runs) == 8
    assert all(r["status"] == "COMPLETED" and r["result"]["benchmark"] for r in runs)
    assert len({str(r["_dir"]) for r in runs}) == 8
    assert len({r["_config"]["logging"]["log_dir"] for r in runs}) == 8
    assert sorted(r["_config"]["seed"] for r in runs) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert sorted(r["_dir"].name for r in runs) == ["1", "1", "1", "1", "2", "2", "2", "2"]


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A local single-node Slurm cluster for this module's tests; stopped by pid files afterwards."""
    slurm.require_slurm()
    cluster = slurm.SlurmCluster(tmp_path_factory.mktemp("slurm"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def _submit(lines: str, cwd: Path, env: dict[str, str]) -> list[int]:
    res = subprocess.run(["bash"], input=lines, text=True, cwd=cwd, env=env, capture_output=True, timeout=120)
    assert res.returncode == 0, res.stderr
    jobs = slurm.submitted_job_ids(res.stdout)
    assert len(jobs) == len(lines.splitlines()), res.stdout + res.stderr
    return jobs


@pytest.mark.integration
def test_fake_grid_under_slurm(tmp_path: Path, fake_scripts: dict[str, str], slurm_cluster: Any) -> None:
    work = tmp_path / "work dir"
    fake_grid_configs(work / "benchmarking", splits=(1,))
    lines = run_commands(
        "--name=sl",
        "--cfg_pattern=benchmarking/fast_*.json",
        "--seeds=0",
        "--output_dir=out put",
        "--remote",
        f"--venv={sys.prefix}",
        "--container_cmd=env",
        "--container=ILAEDA_IN_CONTAINER=1",
        "--mem=500M",
        "--time=00:10:00",
        "--scripts_package=fakescripts",
        cwd=work,
    ).stdout
    start = time.time()
    jobs = _submit(lines, work, {**slurm_cluster.env, **fake_scripts})
    states = slurm_cluster.wait(jobs, timeout=600)
    assert set(states.values()) == {"COMPLETED"}, (states, slurm_cluster.logs())
    runs = _runs(work / "out put")
    assert len(runs) == 5 and all(r["status"] == "COMPLETED" for r in runs)
    assert sorted(r["result"]["algo"] for r in runs) == ["airl", "bc", "dagger", "gail", "gail"]
    logs = sorted(p.name for p in (work / "out put" / "slurm").iterdir())
    assert len(logs) == 10 and all(f".{j}." in " ".join(logs) for j in jobs)
    print(f"5 Slurm jobs done in {time.time() - start:.1f} s")


# ---------------------------------------------------------------- the real training scripts


def _real_fast_configs() -> list[Path]:
    configs = sorted((REPO / "benchmarking").glob("fast_*_cyber*.json"))
    algos = {commands.algo_token(p.name) for p in configs}
    for module in ("ilaeda.scripts.train_adversarial", "ilaeda.scripts.train_imitation"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} does not exist yet")
    if not algos >= set(ALGOS):
        pytest.skip(f"fast configs for {sorted(set(ALGOS) - algos)} missing in benchmarking/")
    return configs


def _real_lines(out: Path, seeds: str, *extra: str) -> str:
    res = run_commands(
        "--name=fastgrid",
        "--cfg_pattern=benchmarking/fast_*_cyber*.json",
        "--seeds",
        seeds,
        f"--output_dir={out}",
        f"--python={sys.executable}",
        *extra,
        cwd=REPO,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout


def _check_real_grid(out: Path, configs: list[Path], n_seeds: int) -> None:
    runs = _runs(out)
    bad = [(str(r["_dir"]), r["status"], (r.get("fail_trace") or [""])[-1]) for r in runs if r["status"] != "COMPLETED"]
    assert not bad, bad
    assert len(runs) == n_seeds * len(configs)
    for r in runs:
        result = r["result"]
        assert {"algo", "split", "eval_dataset", "seed", "benchmark", "timing"} <= set(result)
        assert result["seed"] == r["_config"]["seed"]
        assert {"mean", "std", "n"} <= set(result["benchmark"]["precision"])
    analysis = subprocess.run(
        [
            sys.executable,
            "-m",
            "ilaeda.scripts.analyze",
            "analyze_imitation",
            f"--file_storage={out / 'analysis'}",
            "with",
            f"source_dir_str={out / 'sacred'}",
            "run_name=fastgrid",
            f"csv_output_path={out / 'results.csv'}",
            "bootstrap_reps=200",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert analysis.returncode == 0, analysis.stderr[-3000:]
    import pandas as pd

    table = pd.read_csv(out / "results.csv")
    assert len(table) == len(runs)
    assert set(table["algo"]) == set(ALGOS)
    assert (pd.read_csv(out / "results_aggregate.csv")["n_runs"] == n_seeds).all()


@pytest.fixture(scope="module")
def real_grid(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """(output folder, configs): the real fast configs (all algorithms, both splits), seed 0, run under GNU
    parallel. The Slurm test adds seed 1 to the same folder, so the expensive runs are paid once per seed.
    """
    slurm.require_tools("parallel")
    configs = _real_fast_configs()
    out = tmp_path_factory.mktemp("real_grid") / "out"
    start = time.time()
    _parallel(_real_lines(out, "0"), REPO, {**os.environ, "OMP_NUM_THREADS": "1"}, jobs=4)
    print(f"{len(configs)} real fast runs under parallel -j 4 in {time.time() - start:.1f} s")
    return out, configs


@pytest.mark.integration
@pytest.mark.slow
def test_real_fast_grid_under_parallel(real_grid: tuple[Path, list[Path]]) -> None:
    out, configs = real_grid
    _check_real_grid(out, configs, 1)


@pytest.mark.integration
@pytest.mark.slow
def test_real_fast_grid_under_slurm(real_grid: tuple[Path, list[Path]], slurm_cluster: Any, tmp_path: Path) -> None:
    """Seed 1 of the real fast configs as Slurm jobs, beside a copy of the parallel grid's seed 0 records: the
    analysis then aggregates two seeds per config, one from each launcher.
    """
    seed0, configs = real_grid
    out = tmp_path / "out"
    shutil.copytree(seed0 / "sacred", out / "sacred")
    start = time.time()
    jobs = _submit(
        _real_lines(out, "1", "--remote", f"--venv={sys.prefix}", "--mem=2G", "--time=00:20:00"),
        REPO,
        {**os.environ, "OMP_NUM_THREADS": "1", **slurm_cluster.env},
    )
    states = slurm_cluster.wait(jobs, timeout=840)
    print(f"{len(jobs)} real fast runs under Slurm in {time.time() - start:.1f} s")
    assert set(states.values()) == {"COMPLETED"}, (states, slurm_cluster.logs())
    _check_real_grid(out, configs, 2)
