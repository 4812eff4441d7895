"""Hyper-parameter tuning on an Optuna study shared by any number of workers.

``python -m ilaeda.scripts.tune <algo> with <config.json> [key=value ...] [train.<key>=value ...]``
(``algo``: gail, airl, bcgail, bc, dagger; options and defaults in :mod:`ilaeda.scripts.config.tune`).

* **Training datasets only.** The config's split must be leave-one-out (``cyber_loo1``). A trial trains
  one run per (validation split, seed): ``cyber_loo1_val2`` trains on datasets 3 and 4 and is scored on
  2, and so on for every training dataset (``folds``); the held-out dataset 1 is never opened. At least
  two seeds per trial.
* **Objective** (maximised): per run, the weighted mean of the configured metrics (T-BLEU-2 and EDA-Sim)
  of the stochastic policy's sessions, normalised with the random-agent and expert baselines of the
  validation dataset; the trial's value is the mean over its runs. Trial attributes keep the raw metrics,
  the mean session length and every run.
* **Pruning**: after each run the running mean is reported; Optuna's MedianPruner stops poor trials.
* **Sharing and resuming.** Workers with the same study name and storage share the study; a worker stops
  when ``n_trials`` trials have finished (all workers together), so rerunning the command resumes an
  interrupted study. A trial whose worker died (SIGKILL, node failure) is marked failed and queued again
  — by the next worker on the same host for the default journal storage, by Optuna's heartbeat for an
  RDB storage. Completed trials are written to the storage when they end and are never lost.
* **Result**: the best trial as a ready-to-run training config ``<tuned_dir>/<algo>_<study>.json`` (the
  base config with the ``train.*`` updates and the best values; its split is the original one, so it trains on all training
  datasets and evaluates on the held-out one) and its provenance in ``<tuned_dir>/provenance/``.
* **Secrets and failures.** A storage password (``user:password@`` in the URL, ``$ILAEDA_STORAGE_PASSWORD``
  or an owner-only ``storage_password_file``; never ``?password=``) is masked in every line, log and file
  written here. The journal keeps whole records only: a full disk or a killed worker cuts nothing completed
  (see :mod:`ilaeda.tuning.journal`). Bad input, and an output folder that cannot be written, print one
  ``tune: error: ...`` line before any trial and exit with status 2; Ctrl-C prints one line and exits with 130.

The work is done by :mod:`ilaeda.tuning`; this module is the command and the study loop.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ilaeda.errors import IlaedaError
from ilaeda.provenance import code_version
from ilaeda.redaction import redact, split_password
from ilaeda.scripts.config.tune import PASSWORD_ENV
from ilaeda.tuning import UsageError
from ilaeda.tuning.journal import JournalWriteError
from ilaeda.tuning.options import Settings, help_text, parse_argv, settings_from
from ilaeda.tuning.results import counts, finished, write_best
from ilaeda.tuning.space import decode_params
from ilaeda.tuning.storage import check_output_paths, make_storage
from ilaeda.tuning.trials import check_config, make_objective, requeue_dead_trials

logger = logging.getLogger("ilaeda.tune")


class _SafeRecords(logging.Filter):
    """Optuna's and our log records with every URL password masked; a trial stopped by Ctrl-C is not logged
    (Optuna would print its traceback before our one line).
    """

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is KeyboardInterrupt:
            return False
        record.msg, record.args = redact(record.getMessage(), self.secrets), None
        if record.exc_info:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip(), self.secrets)
        return True


def _safe_logs(secrets: Sequence[str]) -> None:
    import optuna

    optuna.logging.enable_default_handler()
    for handler in [*logging.getLogger("optuna").handlers, *logger.handlers]:
        handler.filters = [f for f in handler.filters if not isinstance(f, _SafeRecords)]
        handler.addFilter(_SafeRecords(secrets))


def tune(settings: Settings, argv: Sequence[str] = ()) -> dict[str, Any]:
    """Run this worker until the study has ``n_trials`` finished trials; write the best config."""
    import optuna
    from optuna.trial import TrialState

    from ilaeda.analysis.robust import BASELINES_CSV, load_baselines

    opts = settings.options
    baselines = None
    if opts["normalise"]:
        path = Path(opts["baselines_csv"]) if opts["baselines_csv"] else Path(str(BASELINES_CSV))
        baselines = load_baselines(path)
        from ilaeda.data.splits import parse_split

        for split in settings.val_splits:
            parsed = parse_split(split)
            missing = [
                m for m in settings.objective if (parsed.schema.name, parsed.eval_datasets[0], m) not in baselines
            ]
            if missing:
                raise UsageError(
                    f"baselines {path} have no random/expert row for {parsed.schema.name} dataset "
                    f"{parsed.eval_datasets[0]}, metric {missing[0]} (or set normalise=False)"
                )
    check_output_paths(settings)
    check_config(settings)
    storage, storage_text = make_storage(settings)
    seed = opts["sampler_seed"]
    sampler = optuna.samplers.TPESampler(seed=None if seed is None else seed + opts["worker"])
    pruner = (
        optuna.pruners.MedianPruner(
            n_startup_trials=opts["pruner_startup_trials"], n_warmup_steps=opts["pruner_warmup_steps"]
        )
        if opts["pruner"] == "median"
        else optuna.pruners.NopPruner()
    )
    study = optuna.create_study(
        study_name=settings.study_name,
        storage=storage,
        sampler=sampler,
        pruner=pruner,
        direction="maximize",
        load_if_exists=True,
    )
    if "tune_settings" not in study.user_attrs:
        study.set_user_attr(
            "tune_settings",
            {
                "algo": settings.algo,
                "configs": settings.configs,
                "split": settings.split,
                "validation_splits": settings.val_splits,
                "seeds": settings.seeds,
                "objective": settings.objective,
                "search_space": settings.search_space,
                "git_commit": code_version()["commit"],
            },
        )
    requeue_dead_trials(study)
    print(
        f"tune: study {settings.study_name!r} in {storage_text}: {counts(study)}; target {opts['n_trials']} "
        f"finished trials; runs per trial: {len(settings.units)} ({', '.join(settings.val_splits)} × seeds "
        f"{settings.seeds})",
        flush=True,
    )

    def stop_when_done(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        c = counts(study)
        if (
            c.get("COMPLETE", 0) + c.get("PRUNED", 0) >= opts["n_trials"]
            or c.get("FAIL", 0) >= opts["max_failed_trials"]
        ):
            study.stop()

    if finished(study) < opts["n_trials"] and counts(study).get("FAIL", 0) < opts["max_failed_trials"]:
        study.optimize(
            make_objective(settings, baselines),
            timeout=opts["timeout_s"],
            callbacks=[stop_when_done],
            catch=(Exception,),
            gc_after_trial=True,
        )
    final = counts(study)
    if final.get("FAIL", 0) >= opts["max_failed_trials"]:
        logger.warning(
            "%d failed trials (max_failed_trials=%d): stopped; see the trials' failure messages",
            final["FAIL"],
            opts["max_failed_trials"],
        )
    tuned_path = write_best(study, settings, storage_text, argv)
    best = None
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if complete:
        b = max(complete, key=lambda t: (t.value, -t.number))
        best = {"number": b.number, "value": b.value, "params": decode_params(b.params, settings.search_space)}
    summary = {
        "study": settings.study_name,
        "storage": storage_text,
        "trials": final,
        "best": best,
        "tuned_config": str(tuned_path) if tuned_path else None,
    }
    print("tune: " + json.dumps(summary, default=str), flush=True)
    return summary


def _fail(message: str, status: int = 2) -> NoReturn:
    print(f"tune: error: {message}", file=sys.stderr, flush=True)
    sys.exit(status)


def _secrets(argv: Sequence[str]) -> list[str]:
    """Every password this worker may hold: the environment's, and any URL's on the command line."""
    import os

    found = [os.environ.get(PASSWORD_ENV, "")]
    for arg in argv:
        if "://" in arg:
            found.append(split_password(arg.partition("=")[2] or arg)[1] or "")
    return [s for s in found if s]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry; returns the exit status (2 for user errors, 130 when interrupted)."""
    from ilaeda.scripts.console import install_sigterm_handler

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["-h"], ["--help"]):
        print(help_text(), end="")
        return 0
    if not logger.handlers:  # own handler: Sacred resets the root logger's handlers and level for each run
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    install_sigterm_handler()
    secrets = _secrets(argv)
    _safe_logs(secrets)
    try:
        settings = settings_from(parse_argv(argv))
        tune(settings, argv)
    except JournalWriteError as e:
        _fail(redact(str(e), secrets), status=1)
    except IlaedaError as e:
        _fail(redact(str(e), secrets))
    except KeyboardInterrupt:
        print("tune: interrupted; finished trials are kept, rerun the command to resume", file=sys.stderr)
        return 130
    return 0


def main_console() -> None:
    """Console entry point (``ilaeda-tune``)."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    main_console()
