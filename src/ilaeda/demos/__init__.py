"""Expert demonstrations: REACT-IDA sessions → imitation trajectories, splits, cache.

See ``docs/demonstrations.md``. Main entry points: :func:`load_demonstrations` (trajectories of a
split part), :func:`convert_file` (sessions and conversion report), :func:`replay_sessions`
(any sessions → replays), ``python -m ilaeda.demos report|export|build|cache``.
"""

from ilaeda.demos.conversion import FLAWED_SESSIONS, REACT_OPERATORS, Conversion, ExpertSession, convert_file
from ilaeda.demos.replay import ReplaySet, replay_sessions
from ilaeda.demos.splits import dataset_replays, expert_sessions, load_demonstrations, load_session_names

__all__ = [
    "FLAWED_SESSIONS",
    "REACT_OPERATORS",
    "Conversion",
    "ExpertSession",
    "ReplaySet",
    "convert_file",
    "dataset_replays",
    "expert_sessions",
    "load_demonstrations",
    "load_session_names",
    "replay_sessions",
]
