"""``make run``: a fast GAIL (with the coherence penalty) on a leave-one-out split, end to end.

Runs the real Sacred experiment (``train_adversarial gail with benchmarking/fast_gail_cyber_loo1.json``)
with one FileStorageObserver under ``output/sacred/train_adversarial`` and logs under ``output/``, then
prints the benchmark table on the held-out dataset and one generated session. Seconds after setup.

``python -m ilaeda.scripts.demo [CONFIG.json] [key=value ...]``
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ilaeda.data.sessions import render_session, session_from_json
from ilaeda.errors import ConfigError, IlaedaError
from ilaeda.scripts.train_adversarial import train_adversarial_ex

#: The demo (``make run``) trains with a config file of the repository, so it runs from a checkout (an
#: editable install); ``src/ilaeda/scripts/demo.py`` → three levels up is the checkout's root.
CHECKOUT = Path(__file__).resolve().parents[3]
DEFAULT_CONFIG = CHECKOUT / "benchmarking" / "fast_gail_cyber_loo1.json"


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    config = Path(args.pop(0)) if args and args[0].endswith(".json") else DEFAULT_CONFIG
    try:
        if not config.is_file():
            raise ConfigError(f"config file {config} not found (run from a checkout of the repository)")
        # Quiet: no per-round stdout tables, no per-session listing (the demo prints one session below).
        updates = {"seed": 0, "logging.log_format_strs": ["tensorboard", "csv"], "policy_evaluation.render": False,
                   **_parse_updates(args)}
        storage = Path.cwd() / "output" / "sacred" / train_adversarial_ex.path
        print(f"demo: fast GAIL + coherence penalty with {config.name}: trains on the split's training "
              "datasets, evaluates on the held-out one (a smoke test, not a trained agent)", flush=True)
        run = train_adversarial_ex.run(
            command_name="gail", named_configs=[str(config)], config_updates=updates,
            options={"--file_storage": str(storage), "--name": "demo", "--loglevel": "WARNING"})
    except IlaedaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = run.result
    log_dir = Path(result["log_dir"])
    files = result.get("session_files", {}).get("stochastic") or []
    if files:
        doc = json.loads((log_dir / files[0]).read_text())
        session = doc["sessions"][0]
        print(f"\none generated session ({session['name']}, {doc.get('schema')} dataset {doc.get('dataset')}):")
        lines = render_session(session_from_json(session, session["name"]).actions)
        for line in lines or ["(the policy stopped at once)"]:
            print(f"  {line}")
    print(f"\nSacred run: {storage}/{run._id}   logs: {log_dir}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
