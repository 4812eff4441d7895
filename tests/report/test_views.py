"""ilaeda.report.views: displays re-created from the data, actions in words, display trees, closest reference."""

from __future__ import annotations

import pandas as pd
from browser import png_size

from ilaeda.data.loading import load_table
from ilaeda.data.references import load_references
from ilaeda.data.sessions import Back, Filter, Group, Stop
from ilaeda.report.views import (
    closest_reference,
    describe_action,
    session_scores,
    session_steps,
    simulation,
    tree_png,
)

ICMP = Filter("highest_layer", "EQ", "ICMP")
BY_SRC = Group("ip_src", "packet_number", "count")


def test_actions_in_words() -> None:
    assert describe_action(ICMP) == "Filter: keep the rows where highest_layer equals 'ICMP'."
    assert describe_action(Filter("info_line", "CONTAINS", "SYN")).endswith("info_line contains 'SYN'.")
    assert describe_action(BY_SRC) == "Group by ip_src and show the count of packet_number per group."
    assert "average of length" in describe_action(Group("ip_dst", "length", "mean"))
    assert describe_action(Back()) == "Go back to the previous display."
    assert describe_action(Stop()) == "Stop the analysis."


def test_steps_show_the_filtered_rows_and_the_grouped_aggregates() -> None:
    frame = load_table("cyber", 1)
    icmp = frame[frame["highest_layer"] == "ICMP"]
    steps = session_steps([ICMP, BY_SRC, Back(), Back(), Stop(), ICMP], "cyber", 1, rows=4)
    assert [s.index for s in steps] == [1, 2, 3, 4, 5]  # cut after STOP, which is shown
    first, grouped, back, root, stop = steps
    assert first.caption == f"{len(icmp)} of {len(frame)} rows"
    pd.testing.assert_frame_equal(
        first.table,
        icmp.head(4)
        .reset_index(drop=True)
        .map(lambda v: v if not isinstance(v, str) or len(v) <= 60 else v[:59] + "…"),
    )
    counts = icmp.groupby("ip_src")["packet_number"].count()
    assert grouped.caption.startswith(f"{len(counts)} groups (view: {len(icmp)} of")
    assert list(grouped.table.columns) == ["ip_src", "count(packet_number)"]
    assert grouped.table["count(packet_number)"].tolist() == counts.head(4).tolist()
    assert back.caption == first.caption and root.caption == f"{len(frame)} of {len(frame)} rows"
    assert isinstance(stop.action, Stop) and stop.table.empty


def test_tree_picture() -> None:
    sim = simulation([ICMP, BY_SRC, Back(), Group("ip_dst", "packet_number", "count")], "cyber", 1)
    assert sim.parents == (0, 0, 1, 1)
    png = tree_png(sim, "t")
    width, height = png_size(png)
    assert width >= 300 and height >= 150 and len(png) > 2_000


def test_a_reference_is_its_own_closest_reference() -> None:
    refs = load_references("cyber", 2)
    closest = closest_reference(refs[3].actions, "cyber", 2)
    assert closest.reference.name == refs[3].name and closest.eda_sim == 1.0
    assert set(closest.per_reference) == {r.name for r in refs}
    assert all(v <= 1.0 for v in closest.per_reference.values())
    scores = session_scores(refs[3].actions, "cyber", 2)
    assert scores["eda_sim"] == 1.0 and scores["length"] == len(refs[3].actions)


def test_a_grouping_the_engine_cannot_aggregate_shows_the_rows() -> None:
    frame = load_table("cyber", 1)
    # pandas 1.x cannot take the mean of a text column, so the benchmark's display is not grouped
    (step,) = session_steps([Group("highest_layer", "ip_src", "mean")], "cyber", 1, rows=3)
    assert (
        step.caption == f"{len(frame)} of {len(frame)} rows (not grouped: the display engine cannot aggregate "
        "this grouping)"
    )
    assert list(step.table.columns) == list(frame.columns) and len(step.table) == 3
