"""ilaeda: learning automated EDA by imitation."""

import sys
from types import TracebackType

__version__ = "0.1.0"


def _quiet_interrupt(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Ctrl-C before a command line tool reached its own handler (e.g. while importing): one line."""
    if issubclass(exc_type, KeyboardInterrupt):
        print("error: interrupted (during start-up: nothing was run)", file=sys.stderr)
        return
    _previous_excepthook(exc_type, exc, tb)


# Only when a command line tool starts (``python -m ilaeda...`` or an ``ilaeda-*`` console script), never
# when ilaeda is imported as a library.
_previous_excepthook = sys.excepthook
if sys.argv[:1] == ["-m"] or (sys.argv and sys.argv[0].rsplit("/", 1)[-1].startswith("ilaeda-")):
    sys.excepthook = _quiet_interrupt
