"""Oracle side of ``benchmarks/differential.py``: scores sessions with the original A-EDA benchmark code.

Runs in a separate interpreter whose ``sys.path`` holds an extracted copy of the original ``benchmark/``
package (TAU-DB/ATENA-A-EDA, https://github.com/TAU-DB/ATENA-A-EDA) and pandas 1.5.3; it imports nothing
from ilaeda. Usage: ``python differential_oracle.py ORIGINAL_DIR JOB.json OUT.json``.

Input conversion (the only places where this adapter adds to the original):

* Sessions arrive in ilaeda's JSON action format and are cut at the first STOP (the original has no STOP;
  ilaeda ends a session there). BACK, and FILTER with EQ / NEQ / CONTAINS, and GROUP with ``count``
  become the original's own action objects, scored by its own code.
* The original implements only EQ / NEQ / CONTAINS and COUNT. The other operators are evaluated here the
  way the original evaluates their siblings: GT/GE/LT/LE exactly like its EQ/NEQ branch (``<UNK>`` → NaN,
  a float term on non-object columns, any exception → an empty view) with ``operator.gt`` etc.;
  STARTS_WITH/ENDS_WITH like its CONTAINS branch with ``str.startswith`` / ``str.endswith``. SUM / MIN /
  MAX / MEAN are handed to the original's own ``groupby(...).agg`` call as pandas' named functions.
* Speed only: datasets are read once, displays are memoised by state, data layers by filters and relabel
  costs by display pair; all are pure functions of their keys in the original, which recomputes them for
  every metric. ``calculate_display`` is the original's, step by step, calling its own methods.

Output: per session the five metrics of the session scored alone, per batch the five corpus metrics.
"""

from __future__ import annotations

import enum
import json
import math
import operator
import sys


def install(original: str):
    """Import the original with the extension and memos installed; returns ``(to_actions, metrics, meta)``."""
    sys.path.insert(0, original)
    import atena.simulation.display as display_module
    from atena.evaluation.metrics import (
        DisplaysTreeBleuMetric,
        NormalizedDisplaysEdaSimMetric,
        PrecisionMetric,
    )
    from atena.simulation.actions import (
        AggregationFunction,
        BackAction,
        FilterAction,
        FilterOperator,
        GroupAction,
    )
    from atena.simulation.dataset import Dataset, DatasetMeta, SchemaName
    from atena.simulation.state import DisplayTuple

    class ExtraOperator(enum.Enum):
        GT = "GT"
        GE = "GE"
        LT = "LT"
        LE = "LE"
        STARTS_WITH = "STARTS_WITH"
        ENDS_WITH = "ENDS_WITH"

    class ExtraFunction(enum.Enum):
        SUM = "sum"
        MIN = "min"
        MAX = "max"
        MEAN = "mean"

        @property
        def func(self) -> str:
            return self.value

    operators = {
        "EQ": FilterOperator.EQUAL,
        "NEQ": FilterOperator.NOTEQUAL,
        "CONTAINS": FilterOperator.CONTAINS,
        **{op.name: op for op in ExtraOperator},
    }
    functions = {"count": AggregationFunction.COUNT, **{f.value: f for f in ExtraFunction}}
    comparisons = {
        ExtraOperator.GT: operator.gt,
        ExtraOperator.GE: operator.ge,
        ExtraOperator.LT: operator.lt,
        ExtraOperator.LE: operator.le,
    }

    # The original asserts isinstance(..., AggregationFunction) in get_groupby_df; admit the extra functions.
    display_module.AggregationFunction = (AggregationFunction, ExtraFunction)

    original_filter = display_module.DisplayCalculator.get_filtered_df

    class _View:
        def __init__(self, df):
            self.dataset_df = df

    def extra_filter(df, filt):
        column, term, op = filt.column, filt.term, filt.operator
        dtype = df[column].dtype
        numeric = dtype == "f8" or dtype == "u4" or dtype == "int64"
        if op in comparisons:  # the original's EQ/NEQ branch with another comparison
            try:
                if numeric and term == "<UNK>":
                    term = math.nan
                term = float(term) if str(dtype) not in ["object", "category"] and term != "<UNK>" else term
                return df[comparisons[op](df[column], term)], True
            except Exception:
                return df.truncate(after=-1), False
        test = "startswith" if op is ExtraOperator.STARTS_WITH else "endswith"
        if dtype == "O" or str(dtype) == "category":  # the original's CONTAINS branch
            return df[getattr(df[column].str, test)(term, na=False)], True
        if numeric:
            return df[getattr(df[column].astype(str).str, test)(str(term), na=False)], True
        return df.truncate(after=-1), False

    def get_filtered_df(self, filter_tpl):
        if all(isinstance(f.operator, FilterOperator) for f in filter_tpl):
            return original_filter(self, filter_tpl)
        df = self.dataset_df.copy()
        for filt in filter_tpl:
            if isinstance(filt.operator, FilterOperator):
                df = original_filter(_View(df), (filt,))
            else:
                df, ok = extra_filter(df, filt)
                if not ok:
                    return df
        return df

    display_module.DisplayCalculator.get_filtered_df = get_filtered_df

    # Speed: one read per dataset, one display computation per state.
    frames = {}
    original_load = Dataset.load_data

    def load_data(self):
        key = (self.dataset_meta.schema, self.dataset_meta.dataset_name)
        if key not in frames:
            frames[key] = original_load(self)
        return frames[key]

    Dataset.load_data = load_data
    displays = {}

    data_layers = {}

    def calculate_display(self, state):
        # The original's calculate_display, step by step, with the data layer memoised by the filters
        # (it is a function of the filtered frame alone) and the display by the whole state.
        meta = self.dataset.dataset_meta
        key = (meta.schema, meta.dataset_name, state)
        if key not in displays:
            view = (meta.schema, meta.dataset_name, state["filtering"])
            if view in data_layers and not state["grouping"]:
                fdf = None
            else:
                fdf = self.get_filtered_df(state["filtering"])
            if view not in data_layers:
                data_layers[view] = self.calc_data_layer(fdf)
            gdf, adf = (
                (None, None) if fdf is None else self.get_groupby_df(fdf, state["grouping"], state["aggregations"])
            )
            displays[key] = DisplayTuple(data_layer=data_layers[view], granularity_layer=self.calc_gran_layer(gdf, adf))
        return displays[key], (None, None)

    display_module.DisplayCalculator.calculate_display = calculate_display

    # Speed: the TED's relabel cost is a pure function of two (memoised, hence long-lived) displays.
    import atena.evaluation.utils as utils_module

    original_label = utils_module.display_label_sitance
    labels = {}

    def display_label_sitance(disp1, disp2, normalize, unit=5000):
        key = (id(disp1), id(disp2), normalize, unit)
        if key not in labels:
            labels[key] = original_label(disp1, disp2, normalize, unit)
        return labels[key]

    utils_module.display_label_sitance = display_label_sitance

    def to_action(raw):
        kind = raw["type"]
        if kind == "back":
            return BackAction()
        if kind == "filter":
            return FilterAction(raw["column"], operators[raw["operator"]], raw["term"])
        if kind == "group":
            return GroupAction(raw["column"], raw["agg_column"], functions[raw["agg_func"]])
        raise ValueError(f"unexpected action {raw!r}")

    def to_actions(session):
        actions = []
        for raw in session:
            if raw["type"] == "stop":
                break
            actions.append(to_action(raw))
        return actions

    def metrics(instances):
        return {
            "precision": PrecisionMetric(instances).compute(),
            "t_bleu_1": DisplaysTreeBleuMetric(1, instances).compute(),
            "t_bleu_2": DisplaysTreeBleuMetric(2, instances).compute(),
            "t_bleu_3": DisplaysTreeBleuMetric(3, instances).compute(),
            "eda_sim": NormalizedDisplaysEdaSimMetric(instances).compute(),
        }

    def meta(schema_name, dataset):
        schema = SchemaName(schema_name)
        return DatasetMeta(schema, schema.dataset_names(dataset))

    return to_actions, metrics, meta


def main(original: str, job_path: str, out_path: str) -> None:
    to_actions, metrics, dataset_meta = install(original)
    from atena.evaluation.metrics import EvalInstance

    with open(job_path) as f:
        job = json.load(f)
    meta = dataset_meta(job["schema"], job["dataset"])
    instances = [EvalInstance(meta, to_actions(s)) for s in job["sessions"]]
    result = {
        "sessions": [metrics([instance]) for instance in instances],
        "batches": [metrics([instances[i] for i in batch]) for batch in job["batches"]],
    }
    with open(out_path, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: differential_oracle.py ORIGINAL_DIR JOB.json OUT.json")
    main(*sys.argv[1:])
