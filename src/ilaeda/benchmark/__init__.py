"""The ATENA A-EDA benchmark: Precision, T-BLEU-1/2/3, EDA-Sim and interestingness measures.

``score_sessions(sessions, "cyber", 1)`` scores sessions against dataset 1's gold references;
``python -m ilaeda.benchmark score --schema cyber --dataset 1 SESSIONS.json`` does it from a shell.
Definitions: ``docs/benchmark.md``; the original is the ATENA A-EDA benchmark's code (github.com/TAU-DB/ATENA-A-EDA).
"""

from ilaeda.benchmark.distance import display_distance, distance_matrix
from ilaeda.benchmark.interestingness import MEASURES
from ilaeda.benchmark.metrics import ReferenceSet, score_instance
from ilaeda.benchmark.registry import METRIC_FUNCTIONS
from ilaeda.benchmark.scoring import ScoreResult, reference_set, score_sessions
from ilaeda.benchmark.simulate import Simulation, simulate
from ilaeda.contract import METRICS

__all__ = [
    "MEASURES",
    "METRICS",
    "METRIC_FUNCTIONS",
    "ReferenceSet",
    "ScoreResult",
    "Simulation",
    "display_distance",
    "distance_matrix",
    "reference_set",
    "score_instance",
    "score_sessions",
    "simulate",
]
