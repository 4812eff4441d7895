"""Sacred, imported once with ilaeda's settings (quiet ``pkg_resources`` warning, ``sys`` capture)."""

import warnings

warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

import sacred  # noqa: E402
from sacred.utils import apply_backspaces_and_linefeeds  # noqa: E402

# ``fd`` capture misbehaves in subprocesses and under pytest (Sacred issue 289); ``sys`` is what
# imitation passes everywhere with ``--capture=sys``.
sacred.SETTINGS.CAPTURE_MODE = "sys"


def new_experiment(name: str, ingredients: list[sacred.Ingredient]) -> sacred.Experiment:
    """A Sacred experiment whose captured output keeps only the final state of progress-bar lines."""
    ex = sacred.Experiment(name, ingredients=ingredients)
    ex.captured_out_filter = apply_backspaces_and_linefeeds
    return ex


__all__ = ["new_experiment", "sacred"]
