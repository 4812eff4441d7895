"""``make run``: train a real BC→GAIL agent (with the coherence penalty) on a leave-one-out split, end to end.

Runs the real Sacred experiment (``train_adversarial gail with benchmarking/demo/bcgail_cyber_loo1.json``: BC
warm start, then GAIL with the coherence penalty; training on the split's three training datasets) with
one FileStorageObserver under ``output/sacred/train_adversarial`` and logs under ``output/``, shows the
training's progress bars, then prints the headline table on the held-out dataset next to the released
agent of that split and two random agents (with STOP, whose sessions are short, and the fair floor: 12
actions, no STOP), with the session length, BACKs at the root and the shares of degenerate actions, whether
the agent's sessions reach the demo's bar (at least ``MIN_LENGTH`` actions besides BACKs at the root, above
the random agent without STOP on T-BLEU-2 and EDA-Sim), and the path of the HTML session report. About 3.5
CPU-minutes (one process; one core busy).

``python -m ilaeda.scripts.demo [CONFIG.json] [key=value ...]``
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from ilaeda.contract import HEADLINE_METRICS
from ilaeda.data.splits import parse_split
from ilaeda.errors import ConfigError, IlaedaError
from ilaeda.report.headline import FAIR_RANDOM_LABEL, headline_frame, random_floors, released_agent_scores
from ilaeda.scripts.train_adversarial import train_adversarial_ex

#: The demo (``make run``) trains with a config file of the repository, so it runs from a checkout (an
#: editable install); ``src/ilaeda/scripts/demo.py`` → three levels up is the checkout's root.
CHECKOUT = Path(__file__).resolve().parents[3]
DEFAULT_CONFIG = CHECKOUT / "benchmarking" / "demo" / "bcgail_cyber_loo1.json"
#: The demo's bar: sessions of at least this many actions that change the display (mean over sessions of
#: ``length`` minus ``back_at_root``).
MIN_LENGTH = 8
#: Metrics on which the agent should beat the fair floor (the random agent without STOP): the headline pair.
BEAT_RANDOM_ON = HEADLINE_METRICS


def _parse_updates(tokens: Sequence[str]) -> dict[str, object]:
    updates: dict[str, object] = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        if not sep:
            raise ConfigError(f"expected key=value, got {token!r}")
        try:
            updates[key] = json.loads(value)
        except json.JSONDecodeError:
            updates[key] = value
    return updates


def verdict(result: Mapping[str, Any], floor: Mapping[str, Mapping[str, float]]) -> list[str]:
    """Lines saying whether each policy mode reaches the bar, with the numbers.

    ``floor``: the scores of the random agent without STOP (``FAIR_RANDOM_LABEL`` of :func:`random_floors`).
    """
    lines = []
    for mode, section in (("stochastic", "benchmark"), ("deterministic", "benchmark_deterministic")):
        scores = result.get(section) or {}
        length = float((scores.get("length") or {}).get("mean") or 0.0)
        idle = float((scores.get("back_at_root") or {}).get("mean") or 0.0)
        effective = length - idle  # a BACK at the root changes nothing
        checks = [
            f"length {length:.1f} − {idle:.1f} BACK at the root = {effective:.1f} "
            f"{'≥' if effective >= MIN_LENGTH else '<'} {MIN_LENGTH}"
        ]
        ok = effective >= MIN_LENGTH
        for key in BEAT_RANDOM_ON:
            ours = float((scores.get(key) or {}).get("mean") or 0.0)
            theirs = float(floor[key]["mean"])
            ok &= ours > theirs
            checks.append(f"{key} {ours:.3f} {'>' if ours > theirs else '≤'} {FAIR_RANDOM_LABEL} {theirs:.3f}")
        lines.append(f"{mode} policy: {'meets' if ok else 'misses'} the bar: " + ", ".join(checks))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    config = Path(args.pop(0)) if args and args[0].endswith(".json") else DEFAULT_CONFIG
    try:
        if not config.is_file():
            raise ConfigError(f"config file {config} not found (run from a checkout of the repository)")
        # Quiet: no per-round stdout tables, no per-session listing (the report shows every session).
        updates = {
            "seed": 0,
            "logging.log_format_strs": ["tensorboard", "csv"],
            "policy_evaluation.render": False,
            **_parse_updates(args),
        }
        storage = Path.cwd() / "output" / "sacred" / str(train_adversarial_ex.path)
        print(
            f"demo: BC→GAIL + coherence penalty with {config.name}: trains on the split's training datasets, "
            "evaluates on the held-out one",
            flush=True,
        )
        run = train_adversarial_ex.run(
            command_name="gail",
            named_configs=[str(config)],
            config_updates=updates,
            options={"--file_storage": str(storage), "--name": "demo", "--loglevel": "WARNING"},
        )
        result = cast(dict[str, Any], run.result)  # the training command returns a RunResult
        split = run.config["environment"]["split"]
        datasets = result["eval_dataset"] if isinstance(result["eval_dataset"], list) else [result["eval_dataset"]]
        floors = random_floors(parse_split(split).schema.name, datasets, data_dir=run.config["environment"]["data_dir"])
        table = headline_frame(result, released_agent_scores(split), floors)
    except IlaedaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"\nHeadline on {split}'s held-out dataset {', '.join(map(str, datasets))} (mean ± std over sessions):")
    print(table.to_string(index=False))
    print()
    for line in verdict(result, floors[FAIR_RANDOM_LABEL]):
        print(line)
    log_dir = Path(result["log_dir"])
    report = log_dir / "report" / "report.html"
    print(f"\nSacred run: {storage}/{run._id}   logs: {log_dir}")
    print(f"HTML report: {report if report.is_file() else '(not written, see the warnings above)'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
