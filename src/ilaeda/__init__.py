"""ilaeda: learning automated EDA by imitation."""

import os
import signal
import sys
from types import FrameType, TracebackType

__version__ = "0.1.0"

#: Exit status of a command line tool stopped by Ctrl-C (128 + SIGINT).
INTERRUPTED = 130


def _quiet_interrupt(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Ctrl-C before a command line tool reached its own handler (e.g. while importing): one line."""
    if issubclass(exc_type, KeyboardInterrupt):
        print("error: interrupted (during start-up: nothing was run)", file=sys.stderr)
        return
    _previous_excepthook(exc_type, exc, tb)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C raises KeyboardInterrupt as usual, except where Python would lose it: there it ends the process
    with one line.

    A KeyboardInterrupt raised in the weak-reference callback that drops a module's import lock
    (``_get_module_lock.<locals>.cb``) cannot propagate: Python prints "Exception ignored in ..." with a
    traceback, drops the interrupt and goes on. Anywhere else (the rest of an import included) it propagates,
    so a command's own handler (e.g. tune keeping its finished trials) sees it.
    """
    caller = frame
    while caller is not None:
        code = caller.f_code
        if code.co_name == "cb" and code.co_filename.startswith("<frozen importlib"):
            print("error: interrupted while importing modules (stopped there)", file=sys.stderr, flush=True)
            os._exit(INTERRUPTED)
        caller = caller.f_back
    raise KeyboardInterrupt


# Only when a command line tool starts (``python -m ilaeda...`` or an ``ilaeda-*`` console script), never
# when ilaeda is imported as a library.
_previous_excepthook = sys.excepthook
if sys.argv[:1] == ["-m"] or (sys.argv and sys.argv[0].rsplit("/", 1)[-1].startswith("ilaeda-")):
    sys.excepthook = _quiet_interrupt
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when started with Ctrl-C ignored
        signal.signal(signal.SIGINT, _interrupt)
