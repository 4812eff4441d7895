"""The ``analyze`` experiment and its defaults (commands in :mod:`ilaeda.scripts.analyze`).

For example ``python -m ilaeda.scripts.analyze analyze_imitation with source_dir_str=output/sacred
run_name=run0 csv_output_path=results.csv plot_dir=plots``. Sacred shows this docstring in its help text
and docopt parses that text, so no line here may start with a dash or contain a usage heading.
"""

from ilaeda.analysis.comparison import REFERENCE_CSV
from ilaeda.analysis.curves import DEFAULT_CURVE_KEYS
from ilaeda.scripts._sacred import sacred  # imported with its pkg_resources warning filtered

analysis_ex = sacred.Experiment("analyze")

analysis_ex.add_config(
    # Where to look: Sacred run directories (searched recursively, symlinks followed, each run once),
    # as one string split on ``split_str`` (``~`` expanded).
    source_dir_str="output/sacred",
    split_str=",",
    # Only runs with this Sacred run name (``--name``; commands.py's ``--name``); None: every run.
    run_name=None,
    # One row per run; columns by verbosity: 0 minimal .. 3 with the whole config (see
    # ilaeda.analysis.tables). None: no per-run CSV (tables are still printed).
    csv_output_path=None,
    table_verbosity=2,
    print_table=True,
    # Per-(algo, split) aggregates, the comparison with the reference results, and pairwise algorithm
    # comparisons. None: ``<csv stem>_aggregate.csv`` / ``_comparison.csv`` / ``_pairwise.csv`` beside
    # csv_output_path (not written when that is None too).
    aggregate_csv=None,
    comparison_csv=None,
    pairwise_csv=None,
    # Robust aggregates over all (split × seed) runs (mean, IQM, stratified bootstrap CIs) and the
    # probability of improvement between algorithms. None: ``<csv stem>_robust.csv`` /
    # ``_improvement.csv`` beside csv_output_path (not written when that is None too). Scores are also
    # normalised (random agent = 0, experts = 1) with baselines_csv (None: the package's copy of
    # benchmarking/baselines.csv, from benchmarks/baselines.py --csv; "": raw scores only);
    # performance profiles go to plot_dir.
    robust_csv=None,
    improvement_csv=None,
    baselines_csv=None,
    # Reference numbers (see ilaeda.analysis.comparison) and which of our algorithms each reference
    # algo is compared with ("*": all of them). Default: the published numbers shipped with the package
    # (ilaeda/analysis/reference_results.csv); a relative path is relative to the working directory.
    # None or "": no reference comparison.
    reference_csv=str(REFERENCE_CSV),
    reference_algo_map={"advEDA_released_gail": ["bcgail", "gail"]},
    # Significance level of the flags, and how the runs' per-session stds were computed (0: np.std).
    alpha=0.05,
    session_std_ddof=0,
    # Probability of improvement: bootstrap replicates and the bootstrap RNG seed.
    bootstrap_reps=2000,
    bootstrap_seed=0,
    # PNG plots (metric bars, learning curves) go here; None: no plots. curve_keys: regular
    # expressions choosing logged keys to plot (None: every key, at most max_curve_plots figures);
    # the default (ilaeda.analysis.curves.DEFAULT_CURVE_KEYS) picks the generator's learned reward,
    # penalty and penalised reward and the discriminator's accuracy (GAIL/AIRL), BC's loss, DAgger's
    # episode reward, and the benchmark metrics measured during training on the training datasets.
    plot_dir=None,
    curve_keys=list(DEFAULT_CURVE_KEYS),
    max_curve_plots=60,
)
