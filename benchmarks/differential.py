r"""Differential test of ``ilaeda.benchmark`` against the original ATENA A-EDA benchmark code.

Generates seeded sessions for the 8 benchmark datasets (cyber 1–4, flights 1–4) — random sessions over
every action type, column (the primary key included), operator and aggregation function; sessions with
repeated and accumulated groupings on the primary key; long sessions; sessions derived by mutating the
gold references — scores every session alone and random corpus batches of them with ilaeda and with the
original code (https://github.com/TAU-DB/ATENA-A-EDA, ``benchmark/``), and reports every metric that
differs by more than the tolerance. The original runs in another interpreter (a venv with pandas 1.5.3 and
the original's requirements) through ``benchmarks/differential_oracle.py``, fed by JSON files; that file
documents the input conversion.

A developer tool, not part of CI. One JSON line per mismatch, then one summary JSON line::

    git archive ...  # extract the original's benchmark/ package to e.g. /tmp/atena-orig/benchmark
    OMP_NUM_THREADS=1 ILAEDA_DATA_DIR=../shared/data .venv/bin/python benchmarks/differential.py \
        --original /tmp/atena-orig/benchmark --python /tmp/atena-venv/bin/python --sessions 5000 --batches 100

Exit status: 0 without mismatches, 1 with mismatches, 2 for bad arguments or when the original fails.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ilaeda.benchmark import METRICS, score_sessions
from ilaeda.data import load_references
from ilaeda.data.schema import load_schema
from ilaeda.data.sessions import AGG_FUNCS, OPERATORS, Action, Back, Filter, Group, Stop, action_to_json
from ilaeda.eda import DisplayEngine
from ilaeda.eda.state import SessionStack
from ilaeda.eda.table import text_tokens

DATASETS = tuple((schema, n) for schema in ("cyber", "flights") for n in (1, 2, 3, 4))
ORACLE = Path(__file__).with_name("differential_oracle.py")
#: Operators the original implements; the others go through the oracle's documented extension.
ORIGINAL_OPERATORS = ("EQ", "NEQ", "CONTAINS")
KINDS = ("random", "original-only", "primary-key", "long", "mutated")
KIND_SHARES = (0.25, 0.2, 0.2, 0.1, 0.25)


class Generator:
    """Seeded session generator for one dataset."""

    def __init__(self, schema: str, dataset: int, rng: np.random.Generator) -> None:
        self.schema = load_schema(schema)
        self.engine = DisplayEngine.for_dataset(schema, dataset)
        self.references = [r.actions for r in load_references(schema, dataset)]
        self.rng = rng
        self.columns = self.schema.columns
        self.pk = self.schema.primary_key

    def _choice(self, items: Any, p: Any = None) -> Any:
        return items[int(self.rng.choice(len(items), p=p))]

    def term(self, stack: SessionStack, column: str, operator: str) -> str:
        """A term: usually a value (or token) of a row of the current view, sometimes odd."""
        r = self.rng.random()
        if r < 0.04:
            return "<UNK>"
        if r < 0.07:
            return self._choice(["no-such-term", "0", "1.5", "-1", "", "nan", "80", "ICMP", "AA"])
        encoded = self.engine.column(column)
        rows = self.engine.view_rows(stack.current)
        if len(rows) == 0 or self.rng.random() < 0.2:
            rows = np.arange(self.engine.table.n_rows)
        code = int(encoded.codes[rows[int(self.rng.integers(len(rows)))]])
        if code == 0:
            return "<UNK>"
        text = encoded.strings[code - 1]
        if operator in ("CONTAINS", "STARTS_WITH", "ENDS_WITH") and self.rng.random() < 0.6:
            if column in self.schema.text_columns and self.rng.random() < 0.7:
                return self._choice(sorted(text_tokens(text)) or [text])
            a = int(self.rng.integers(len(text) + 1))
            b = int(self.rng.integers(a, len(text) + 1))
            return text[a:b] or text
        return text

    def action(
        self, stack: SessionStack, operators: tuple[str, ...], funcs: tuple[str, ...], pk_bias: float = 0.15
    ) -> Action:
        kind = self._choice(["back", "filter", "group", "stop"], p=[0.27, 0.33, 0.38, 0.02])
        if kind == "back":
            return Back()
        if kind == "stop":
            return Stop()
        column = self.pk if self.rng.random() < pk_bias else self._choice(self.columns)
        if kind == "filter":
            operator = self._choice(operators)
            return Filter(column, operator, self.term(stack, column, operator))
        r = self.rng.random()
        agg_column = self.pk if r < 0.6 else column if r < 0.7 else self._choice(self.columns)
        func = "count" if self.rng.random() < 0.6 or len(funcs) == 1 else self._choice(funcs)
        return Group(column, agg_column, func)

    def random_session(
        self, length: int, operators: tuple[str, ...], funcs: tuple[str, ...], pk_bias: float = 0.15
    ) -> list[Action]:
        stack, actions = SessionStack(), []
        for _ in range(length):
            action = self.action(stack, operators, funcs, pk_bias)
            if isinstance(action, Stop) and self.rng.random() < 0.5:
                action = Back()
            actions.append(action)
            if isinstance(action, Stop):
                break
            stack.apply(action)
        return actions

    def primary_key_session(self) -> list[Action]:
        """Groupings on the primary key alone, after, before and accumulated with other groupings."""
        stack, actions = SessionStack(), []
        for _ in range(12):
            r = self.rng.random()
            if r < 0.35:
                action: Action = Group(
                    self.pk,
                    self.pk if self.rng.random() < 0.8 else self._choice(self.columns),
                    "count" if self.rng.random() < 0.8 else self._choice(AGG_FUNCS),
                )
            elif r < 0.6:
                action = Group(self._choice(self.columns), self.pk, "count")
            elif r < 0.8:
                action = Back()
            else:
                operator = self._choice(ORIGINAL_OPERATORS if self.rng.random() < 0.7 else OPERATORS)
                column = self._choice(self.columns)
                action = Filter(column, operator, self.term(stack, column, operator))
            actions.append(action)
            stack.apply(action)
        return actions

    def mutated_reference(self) -> list[Action]:
        """A gold reference with one to four mutations."""
        actions = list(self._choice(self.references))
        for _ in range(int(self.rng.integers(1, 5))):
            i = int(self.rng.integers(len(actions))) if actions else 0
            m = self.rng.integers(7)
            if m == 0 and actions:  # group the primary key instead of / besides the column
                a = actions[i]
                actions[i] = (
                    Group(self.pk, self.pk, "count")
                    if not isinstance(a, Group) or self.rng.random() < 0.5
                    else Group(a.column, a.agg_column, a.agg_func)
                )
                if isinstance(a, Group) and self.rng.random() < 0.5:
                    actions.insert(i + 1, Group(self.pk, a.agg_column, "count"))
            elif m == 1:
                actions.insert(i, Group(self.pk, self.pk, "count"))
            elif m == 2 and len(actions) > 1:
                del actions[i]
            elif m == 3:
                stack = SessionStack()
                for a in actions[:i]:
                    if isinstance(a, Stop):
                        break
                    stack.apply(a)
                actions.insert(i, self.action(stack, OPERATORS, AGG_FUNCS, pk_bias=0.3))
            elif m == 4 and actions:
                a = actions[i]
                if isinstance(a, Group):
                    actions[i] = Group(
                        self._choice(self.columns),
                        a.agg_column,
                        a.agg_func if self.rng.random() < 0.7 else self._choice(AGG_FUNCS),
                    )
                elif isinstance(a, Filter):
                    actions[i] = Filter(a.column, self._choice(OPERATORS), a.term)
            elif m == 5:
                actions.insert(i, Back())
            elif m == 6 and actions:
                actions.insert(i, actions[i])  # repeat an action
        return actions

    def session(self, kind: str) -> list[Action]:
        if kind == "random":
            return self.random_session(int(self.rng.integers(0, 16)), OPERATORS, AGG_FUNCS)
        if kind == "original-only":
            return self.random_session(12, ORIGINAL_OPERATORS, ("count",), pk_bias=0.25)
        if kind == "primary-key":
            return self.primary_key_session()
        if kind == "long":
            return self.random_session(int(self.rng.integers(16, 41)), OPERATORS, AGG_FUNCS)
        return self.mutated_reference()


def run_oracle(python: str, original: str, job: dict[str, Any], workdir: Path, timeout: float) -> dict[str, Any]:
    """Score a job with the original code in its own interpreter."""
    job_path = workdir / f"job_{job['schema']}{job['dataset']}.json"
    out_path = workdir / f"out_{job['schema']}{job['dataset']}.json"
    job_path.write_text(json.dumps(job))
    proc = subprocess.run(
        [python, "-W", "ignore", str(ORACLE), original, str(job_path), str(out_path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=workdir,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the original failed on {job['schema']} {job['dataset']}:\n{proc.stderr[-4000:]}")
    return json.loads(out_path.read_text())


def compare(ours: dict[str, Any], theirs: dict[str, Any], tolerance: float) -> dict[str, tuple[float, float]]:
    """Metrics differing by more than ``tolerance``: ``{metric: (ilaeda, original)}``."""
    out = {}
    for m in METRICS:
        a, b = float(ours[m]), float(theirs[m])
        if not (math.isclose(a, b, rel_tol=0.0, abs_tol=tolerance)):
            out[m] = (a, b)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--original", required=True, help="extracted copy of the original benchmark/ package")
    parser.add_argument("--python", required=True, help="interpreter that runs the original (pandas 1.5.3)")
    parser.add_argument("--sessions", type=int, default=5000, help="sessions in all (spread over the datasets)")
    parser.add_argument("--batches", type=int, default=104, help="corpus batches in all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tolerance", type=float, default=1e-6)
    parser.add_argument("--datasets", default="all", help="e.g. cyber1,flights3 (default: all 8)")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds per dataset for the original")
    parser.add_argument("--jobs", type=int, default=1, help="datasets scored by the original at once")
    args = parser.parse_args(argv)
    original = Path(args.original)
    if not (original / "atena" / "evaluation" / "metrics.py").is_file():
        print(
            f"error: {original} is not the original benchmark/ package (no atena/evaluation/metrics.py); "
            "extract it with: git archive HEAD benchmark | tar -x -C DIR",
            file=sys.stderr,
        )
        return 2
    if not Path(args.python).is_file():
        print(
            f"error: no interpreter at {args.python}; pass --python PATH of a venv with pandas 1.5.3", file=sys.stderr
        )
        return 2
    if args.sessions < 1 or args.batches < 0 or args.jobs < 1:
        print("error: --sessions and --jobs must be >= 1, --batches >= 0", file=sys.stderr)
        return 2
    if args.datasets == "all":
        datasets = DATASETS
    else:
        parsed = [re.fullmatch(r"(cyber|flights)([1-4])", d.strip()) for d in args.datasets.split(",")]
        if not all(parsed):
            print(
                f"error: bad --datasets {args.datasets!r}; use e.g. cyber1,flights3 (cyber1..4, flights1..4)",
                file=sys.stderr,
            )
            return 2
        datasets = tuple((m.group(1), int(m.group(2))) for m in parsed if m)

    start = time.time()
    counts = {"sessions": 0, "batches": 0, "mismatched_sessions": 0, "mismatched_batches": 0}
    by_kind: dict[str, int] = {k: 0 for k in KINDS}
    by_metric: dict[str, int] = {m: 0 for m in METRICS}
    jobs = []
    for d_index, (schema, dataset) in enumerate(datasets):
        rng = np.random.default_rng([args.seed, d_index])
        gen = Generator(schema, dataset, rng)
        n = args.sessions // len(datasets) + (d_index < args.sessions % len(datasets))
        n_batches = args.batches // len(datasets) + (d_index < args.batches % len(datasets))
        kinds = [KINDS[int(i)] for i in rng.choice(len(KINDS), size=n, p=KIND_SHARES)]
        sessions = [gen.session(k) for k in kinds]
        batches = (
            [
                sorted(rng.choice(n, size=int(rng.integers(2, min(n, 8) + 1)), replace=False).tolist())
                for _ in range(n_batches)
            ]
            if n >= 2
            else []
        )
        jobs.append(
            (
                kinds,
                sessions,
                {
                    "schema": schema,
                    "dataset": dataset,
                    "batches": batches,
                    "sessions": [[action_to_json(a) for a in s] for s in sessions],
                },
            )
        )
    with (
        tempfile.TemporaryDirectory(prefix="ilaeda-differential-") as tmp,
        ThreadPoolExecutor(max_workers=args.jobs) as pool,
    ):
        futures = [
            pool.submit(run_oracle, args.python, str(original), job, Path(tmp), args.timeout) for _, _, job in jobs
        ]
        for (kinds, sessions, job), future in zip(jobs, futures):
            schema, dataset, batches = job["schema"], job["dataset"], job["batches"]
            ours = score_sessions(sessions, schema, dataset, with_interestingness=False).sessions
            try:
                theirs = future.result()
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
                print(f"error: {error}", file=sys.stderr)
                for pending in futures:
                    pending.cancel()
                return 2
            for i, (kind, row, other) in enumerate(zip(kinds, ours, theirs["sessions"])):
                counts["sessions"] += 1
                diff = compare(row, other, args.tolerance)
                if diff:
                    counts["mismatched_sessions"] += 1
                    by_kind[kind] += 1
                    for m in diff:
                        by_metric[m] += 1
                    print(
                        json.dumps(
                            {
                                "mismatch": "session",
                                "schema": schema,
                                "dataset": dataset,
                                "index": i,
                                "kind": kind,
                                "diff": diff,
                                "actions": job["sessions"][i],
                            }
                        ),
                        flush=True,
                    )
            for b, (batch, other) in enumerate(zip(batches, theirs["batches"])):
                counts["batches"] += 1
                corpus = score_sessions(
                    [sessions[i] for i in batch], schema, dataset, with_interestingness=False
                ).corpus
                diff = compare(corpus, other, args.tolerance)
                if diff:
                    counts["mismatched_batches"] += 1
                    print(
                        json.dumps(
                            {
                                "mismatch": "batch",
                                "schema": schema,
                                "dataset": dataset,
                                "index": b,
                                "members": batch,
                                "diff": diff,
                            }
                        ),
                        flush=True,
                    )
            print(
                f"# {schema} {dataset}: {len(sessions)} sessions, {len(batches)} batches, "
                f"{counts['mismatched_sessions']} / {counts['mismatched_batches']} mismatches so far "
                f"({time.time() - start:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    summary = {
        "summary": True,
        **counts,
        "datasets": [f"{s}{d}" for s, d in datasets],
        "seed": args.seed,
        "tolerance": args.tolerance,
        "mismatches_by_kind": by_kind,
        "mismatches_by_metric": by_metric,
        "seconds": round(time.time() - start, 1),
    }
    print(json.dumps(summary), flush=True)
    return 1 if counts["mismatched_sessions"] or counts["mismatched_batches"] else 0


if __name__ == "__main__":
    sys.exit(main())
