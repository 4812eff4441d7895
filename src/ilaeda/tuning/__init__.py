"""Hyper-parameter tuning on a shared Optuna study; the command is :mod:`ilaeda.scripts.tune`.

``options`` (command line → validated settings), ``space`` (search spaces, sampling), ``storage``
(journal or RDB storage, passwords), ``journal`` (a journal file that survives a full disk or a killed
writer), ``trials`` (one trial's runs and objective), ``results`` (the best config and its provenance).
"""

from ilaeda.errors import IlaedaError


class UsageError(IlaedaError):
    """Bad tune input: one line, exit status 2."""
