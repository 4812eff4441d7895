"""Dataset splits: which datasets train an agent and which one evaluates it.

Names: ``<schema>_loo<k>`` (leave-one-out: train on every other dataset, evaluate on ``k``),
``<schema>_loo<k>_val<j>`` (the inner validation split of ``<schema>_loo<k>``: train on its training
datasets except ``j``, evaluate on ``j``; ``k`` is never touched — for choosing settings without the
held-out dataset), ``<schema>_<k>`` (one dataset, train and evaluate on it; within-dataset session splits are the
demonstrations' business), ``<schema>_all`` (train on all, evaluate on all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ilaeda.data.schema import Schema, load_schema
from ilaeda.errors import ConfigError

_PATTERN = re.compile(
    r"^(?P<schema>[A-Za-z][\w-]*?)_(?:(?P<loo>loo)(?P<held>\d+)(?:_val(?P<val>\d+))?|(?P<one>\d+)|(?P<all>all))$"
)


#: The parts of a split: its training datasets and its evaluation (held-out) datasets.
PARTS = ("train", "eval")
#: Other names accepted for a part (``ilaeda.demos`` has long called the evaluation part "test").
PART_SYNONYMS = {"test": "eval"}


def canonical_part(part: str) -> str:
    """``"train"`` or ``"eval"`` (``"test"`` is a synonym of ``"eval"``); anything else is refused."""
    name = PART_SYNONYMS.get(part, part) if isinstance(part, str) else part
    if name not in PARTS:
        raise ConfigError(f"part must be 'train' or 'eval' (or 'test', a synonym of 'eval'), got {part!r}")
    return name


@dataclass(frozen=True)
class Split:
    """A named split of a schema's datasets; it carries the :class:`Schema` itself, so no layer below the
    entry point that parsed the name resolves the schema again.
    """

    name: str
    schema: Schema
    train_datasets: tuple[int, ...]
    eval_datasets: tuple[int, ...]

    @property
    def is_leave_one_out(self) -> bool:
        return not set(self.train_datasets) & set(self.eval_datasets)

    def datasets(self, part: str) -> tuple[int, ...]:
        """The training (``part="train"``) or evaluation (``"eval"``, or its synonym ``"test"``) datasets."""
        return self.train_datasets if canonical_part(part) == "train" else self.eval_datasets


def parse_split(name: str | Split) -> Split:
    """Parse a split name such as ``cyber_loo1`` (a Split is returned as it is); errors list the valid forms."""
    if isinstance(name, Split):
        return name
    match = _PATTERN.match(str(name))
    if not match:
        raise ConfigError(
            f"invalid split {name!r}; use <schema>_loo<k> (e.g. cyber_loo1), <schema>_loo<k>_val<j> "
            "(e.g. cyber_loo1_val2), <schema>_<k> or <schema>_all"
        )
    schema = load_schema(match["schema"])
    datasets = tuple(sorted(schema.datasets))
    if match["loo"]:
        held = schema.check_dataset(int(match["held"]))
        if match["val"] is None:
            return Split(name, schema, tuple(d for d in datasets if d != held), (held,))
        val = schema.check_dataset(int(match["val"]))
        if val == held:
            raise ConfigError(
                f"invalid split {name!r}: the validation dataset must be one of the training "
                f"datasets of {schema.name}_loo{held}, not its held-out dataset {held}"
            )
        return Split(name, schema, tuple(d for d in datasets if d not in (held, val)), (val,))
    if match["one"]:
        one = schema.check_dataset(int(match["one"]))
        return Split(name, schema, (one,), (one,))
    return Split(name, schema, datasets, datasets)


def validation_splits(split: str | Split) -> list[str]:
    """The inner splits of a leave-one-out split (``cyber_loo1`` → ``cyber_loo1_val2``, ``_val3``, ``_val4``).

    Each trains on the outer split's training datasets but one and evaluates on that one, so tuning never
    sees the held-out dataset. Raises ConfigError for other splits or with fewer than two training datasets.
    """
    parsed = parse_split(split)
    if not re.fullmatch(r".*_loo\d+", parsed.name) or len(parsed.train_datasets) < 2:
        raise ConfigError(
            f"split {parsed.name!r}: validation splits need a leave-one-out split "
            "(<schema>_loo<k>) with at least two training datasets"
        )
    return [f"{parsed.name}_val{d}" for d in parsed.train_datasets]
