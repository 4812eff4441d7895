"""The display engine: a state (filters, groupings, aggregations) → view → display features."""

from ilaeda.eda.display import Display, Granularity
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.state import ROOT, SessionStack, State

__all__ = ["ROOT", "Display", "DisplayEngine", "Granularity", "SessionStack", "State"]
