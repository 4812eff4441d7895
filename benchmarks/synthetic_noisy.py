"""Event discovery and action agreement of the ε-noisy scripted analysts on a synthetic bundle.

For each analyst (hunter, summariser) and each ε, ``--sessions`` seeded noisy sessions per table: their
event discovery, and their action agreement with the noiseless analyst (docs/synthetic.md).

    python -m ilaeda.synthetic make /tmp/synth-m --rows 10000 --datasets 4 --seed 0
    OMP_NUM_THREADS=1 python benchmarks/synthetic_noisy.py /tmp/synth-m [--sessions 50] [--epsilons 0.1,0.3]
"""

from __future__ import annotations

import argparse

import numpy as np

from ilaeda.synthetic.analysts import Analyst, EventHunter, Noisy, Summariser, run_session
from ilaeda.synthetic.bundle import load_bundle
from ilaeda.synthetic.metrics import action_agreement, event_discovery


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--epsilons", default="0.1,0.3")
    args = parser.parse_args()
    bundle = load_bundle(args.bundle)
    bases: tuple[EventHunter | Summariser, ...] = (EventHunter(), Summariser())
    for base in bases:
        for epsilon in (float(e) for e in args.epsilons.split(",")):
            rates, agreement = [], []
            for dataset in bundle.datasets:
                engine = bundle.engine(dataset)
                noisy: list[Analyst] = [Noisy(base, epsilon, seed=1000 * dataset + i) for i in range(args.sessions)]
                sessions = [run_session(analyst, engine, f"{analyst.name}-{i}") for i, analyst in enumerate(noisy)]
                rates.append(event_discovery(sessions, engine, bundle.events[dataset]).rate)
                agreement.append(action_agreement(sessions, engine, base))
            print(
                f"{base.name} eps={epsilon:g}: discovery {np.mean(rates):.3f} (per table {rates}), "
                f"agreement with the noiseless analyst {np.mean(agreement):.3f}"
            )


if __name__ == "__main__":
    main()
