"""Ground truth for imitation: synthetic tables with planted events, scripted analysts, recovery metrics."""
