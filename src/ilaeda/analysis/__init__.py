"""Aggregation, statistical comparison and plots of training runs (library code, no Sacred).

``runs`` finds usable Sacred runs, ``tables`` builds per-run and per-(algo, split) tables, ``comparison``
tests our runs against reference numbers and algorithms against each other, ``curves`` reads learning
curves from run logs, ``plots`` draws PNGs. The Sacred front end is ``ilaeda.scripts.analyze``.
"""

from ilaeda.analysis.comparison import compare_to_reference, load_reference, pairwise_comparisons
from ilaeda.analysis.runs import RunRecord, Skipped, discover_runs
from ilaeda.analysis.tables import aggregate_table, runs_table

__all__ = [
    "RunRecord",
    "Skipped",
    "aggregate_table",
    "compare_to_reference",
    "discover_runs",
    "load_reference",
    "pairwise_comparisons",
    "runs_table",
]
