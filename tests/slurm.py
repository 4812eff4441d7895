"""A throw-away single-node Slurm cluster on localhost for integration tests.

Starts ``munged`` (own key, socket and pid file in a temp dir), ``slurmctld`` and ``slurmd`` with a
generated ``slurm.conf`` (no cgroups, no accounting, unused ports, state/spool/log/pid files in the temp
dir), and stops them by their pid files. Needs root and the Debian packages ``slurm-wlm munge``
(``.ci/system-deps.sh`` installs them). Use :func:`require_slurm` to skip — or, under ``CI=true``,
fail — where that is missing.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

import pytest

#: Held while a cluster runs: test modules in other xdist workers wait for it, so two clusters (one node name,
#: one host) never run at once.
CLUSTER_LOCK = Path(tempfile.gettempdir()) / "ilaeda-tests-slurm-cluster.lock"

TOOLS = ("munged", "slurmctld", "slurmd", "sbatch", "scontrol", "sinfo", "scancel")
FINAL_STATES = {
    "COMPLETED",
    "FAILED",
    "CANCELLED",
    "TIMEOUT",
    "NODE_FAIL",
    "OUT_OF_MEMORY",
    "PREEMPTED",
    "BOOT_FAIL",
    "DEADLINE",
}


def in_ci() -> bool:
    """Whether missing system tools must fail the tests rather than skip them."""
    return os.environ.get("CI") == "true"


def skip_or_fail(reason: str) -> None:
    """Skip on a developer machine; fail under ``CI=true`` (CI must run these tests)."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: run .ci/system-deps.sh first)")
    pytest.skip(reason)


def require_tools(*tools: str) -> None:
    """Skip (or fail in CI) unless every tool is on PATH."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        skip_or_fail(f"missing {', '.join(missing)} (Debian: apt-get install parallel slurm-wlm munge)")


def require_slurm() -> None:
    """Skip (or fail in CI) unless we are root with the Slurm and munge daemons installed."""
    if os.geteuid() != 0:
        skip_or_fail("a local Slurm cluster needs root")
    require_tools(*TOOLS)


def _free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _mem_mb() -> int:
    with open("/proc/meminfo") as f:
        kb = int(re.search(r"MemTotal:\s+(\d+)", f.read())[1])  # type: ignore[index]
    return max(kb // 1024 - 512, 1024)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child counts as gone
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class SlurmCluster:
    """munged + slurmctld + slurmd on localhost, all files under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.conf = root / "slurm.conf"
        self.munge_socket = root / "munge" / "munge.socket"
        self.pid_files = [root / "slurmd.pid", root / "slurmctld.pid", root / "munge" / "munged.pid"]
        self._lock: IO[str] | None = None

    @property
    def env(self) -> dict[str, str]:
        """The environment for sbatch/squeue/scontrol against this cluster."""
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def start(self, timeout: float = 120.0) -> None:
        """Write the configuration and start the daemons; wait until the node is idle."""
        self._lock = open(CLUSTER_LOCK, "a")  # held until stop()
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        root = self.root
        for sub in ("munge", "state", "spool", "log"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(root / "munge", 0o755)
        key = root / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        os.chmod(key, 0o600)
        subprocess.run(
            [
                "munged",
                "--force",
                f"--key-file={key}",
                f"--socket={self.munge_socket}",
                f"--pid-file={root / 'munge' / 'munged.pid'}",
                f"--log-file={root / 'munge' / 'munged.log'}",
                f"--seed-file={root / 'munge' / 'munged.seed'}",
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        host = socket.gethostname().split(".")[0]
        ctl_port, d_port = _free_ports(2)
        self.conf.write_text(
            "\n".join(
                [
                    "ClusterName=ilaedatest",
                    f"SlurmctldHost={host}(127.0.0.1)",
                    "SlurmUser=root",
                    "SlurmdUser=root",
                    "AuthType=auth/munge",
                    "CredType=cred/munge",
                    f"AuthInfo=socket={self.munge_socket}",
                    f"SlurmctldPort={ctl_port}",
                    f"SlurmdPort={d_port}",
                    "ProctrackType=proctrack/linuxproc",
                    "TaskPlugin=task/none",
                    "SelectType=select/cons_tres",
                    "SelectTypeParameters=CR_Core",
                    "JobAcctGatherType=jobacct_gather/none",
                    "AccountingStorageType=accounting_storage/none",
                    "MpiDefault=none",
                    "ReturnToService=2",
                    f"StateSaveLocation={root / 'state'}",
                    f"SlurmdSpoolDir={root / 'spool'}",
                    f"SlurmctldPidFile={root / 'slurmctld.pid'}",
                    f"SlurmdPidFile={root / 'slurmd.pid'}",
                    f"SlurmctldLogFile={root / 'log' / 'slurmctld.log'}",
                    f"SlurmdLogFile={root / 'log' / 'slurmd.log'}",
                    f"NodeName={host} NodeAddr=127.0.0.1 CPUs={os.cpu_count()} RealMemory={_mem_mb()} State=UNKNOWN",
                    f"PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP",
                    "",
                ]
            )
        )
        for daemon in ("slurmctld", "slurmd"):
            subprocess.run(
                [daemon, "-f", str(self.conf)], check=True, capture_output=True, timeout=timeout, env=self.env
            )
        deadline = time.time() + timeout
        while time.time() < deadline:
            out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, env=self.env)
            if out.returncode == 0 and out.stdout.strip() in ("idle", "mixed", "allocated"):
                return
            time.sleep(0.3)
        raise RuntimeError(f"Slurm did not come up in {timeout} s:\n{self.logs()}")

    def stop(self, timeout: float = 15.0) -> None:
        """Cancel leftover jobs, then stop slurmd, slurmctld and munged by their pid files."""
        subprocess.run(["scancel", "--user=root"], capture_output=True, env=self.env, timeout=timeout, check=False)
        for pid_file in self.pid_files:
            try:
                pid = int(pid_file.read_text().strip())
            except (OSError, ValueError):
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            deadline = time.time() + timeout
            while _alive(pid) and time.time() < deadline:
                time.sleep(0.1)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None

    def job_states(self, job_ids: list[int]) -> dict[int, str]:
        """Current state of each job (``scontrol show job``)."""
        states = {}
        for job in job_ids:
            out = subprocess.run(
                ["scontrol", "show", "job", str(job)], capture_output=True, text=True, env=self.env
            ).stdout
            match = re.search(r"JobState=(\S+)", out)
            states[job] = match[1] if match else "UNKNOWN"
        return states

    def wait(self, job_ids: list[int], timeout: float = 300.0) -> dict[int, str]:
        """Wait until every job reached a final state; return the states."""
        deadline = time.time() + timeout
        while True:
            states = self.job_states(job_ids)
            if all(s in FINAL_STATES for s in states.values()):
                return states
            if time.time() > deadline:
                raise TimeoutError(f"Slurm jobs not done after {timeout} s: {states}\n{self.logs()}")
            time.sleep(0.5)

    def logs(self) -> str:
        """Tails of the daemon logs, for failure messages."""
        parts = []
        for log in [*sorted((self.root / "log").glob("*.log")), self.root / "munge" / "munged.log"]:
            if log.is_file():
                parts.append(f"== {log.name}\n" + "\n".join(log.read_text().splitlines()[-15:]))
        return "\n".join(parts)


def submitted_job_ids(sbatch_output: str) -> list[int]:
    """Job ids from ``sbatch`` output lines ``Submitted batch job N``."""
    return [int(m) for m in re.findall(r"Submitted batch job (\d+)", sbatch_output)]
