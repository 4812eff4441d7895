"""Edge cases, aggregation, validation, determinism of the scoring API."""

import json
import math
import os
import subprocess
import sys

import pytest

from ilaeda.benchmark import MEASURES, METRICS, ScoreResult, reference_set, score_sessions
from ilaeda.benchmark.bleu import BleuStats
from ilaeda.benchmark.metrics import score_instance
from ilaeda.benchmark.simulate import simulate
from ilaeda.data import Back, Filter, Group, Session, Stop, load_references
from ilaeda.eda import DisplayEngine
from ilaeda.errors import SessionFormatError


def G(column):
    return Group(column, "packet_number", "count")


def score(actions, **kwargs):
    return score_sessions([actions], "cyber", 1, **kwargs).sessions[0]


def test_empty_session():
    row = score([])
    assert row["length"] == 0 and row["precision"] == 1.0 and row["back_at_root"] == 0
    assert row["t_bleu_1"] == pytest.approx(math.exp(-12))
    assert row["eda_sim"] == pytest.approx(0.125)
    assert all(row[m] == 0.0 for m in MEASURES)


def test_only_backs_game_t_bleu_1_and_are_reported():
    row = score([Back()] * 12)
    assert row["t_bleu_1"] == 1.0 and row["precision"] == 1.0
    assert row["back_at_root"] == 12 and row["length"] == 12
    assert row["coherence_penalty"] == -12.0
    assert row["eda_sim"] == pytest.approx(0.125)


@pytest.mark.parametrize(
    "actions",
    [
        [Filter("highest_layer", "EQ", "no such protocol")],  # a term that does not exist
        [Filter("highest_layer", "EQ", "ICMP"), Filter("highest_layer", "EQ", "TCP")],  # empty view
        [Filter("packet_number", "GT", "not a number")],  # invalid filter → empty view
    ],
    ids=["missing-term", "contradiction", "invalid-term"],
)
def test_filters_to_an_empty_view(actions):
    row = score(actions)
    engine = DisplayEngine.for_dataset("cyber", 1)
    sim = simulate(actions, engine)
    empty = sim.node_displays[-1]
    assert empty.nulls == (1.0,) * 12 and empty.unique == (0.0,) * 12
    assert row["precision"] == pytest.approx(1 / len(sim.node_displays))
    assert all(math.isfinite(row[m]) for m in (*METRICS, *MEASURES))
    assert 0 <= row["eda_sim"] <= 1


def test_group_on_an_all_nan_column():
    row = score([Filter("highest_layer", "EQ", "ICMP"), G("tcp_srcport")])
    assert all(math.isfinite(row[m]) for m in (*METRICS, *MEASURES))
    assert row["group_compaction"] == 0.0 and row["group_conciseness"] == 0.0
    assert row["precision"] == pytest.approx(1 / 3)


def test_repeated_actions():
    once, twice = score([G("highest_layer")]), score([G("highest_layer"), G("highest_layer")])
    assert twice["precision"] == 1.0
    assert twice["coherence_penalty"] == -1.0 and once["coherence_penalty"] == 0.0
    assert twice["t_bleu_1"] > once["t_bleu_1"]  # longer: smaller brevity penalty
    f = Filter("highest_layer", "EQ", "ICMP")
    repeated = score([f, f, f])
    assert repeated["precision"] == pytest.approx(0.5)
    assert repeated["coherence_penalty"] == -2.0


def test_sessions_longer_than_twelve_have_no_brevity_penalty():
    actions = [G("highest_layer"), Back()] * 10
    row = score(actions)
    assert row["length"] == 20
    sim = simulate(actions, DisplayEngine.for_dataset("cyber", 1))
    stats = score_instance(sim, reference_set("cyber", 1)).bleu
    assert stats.hyp_len == 21 and stats.ref_len == 13
    assert row["t_bleu_1"] == pytest.approx(stats.numerators[0] / stats.denominators[0])


def test_stop_ends_the_session():
    assert score([G("highest_layer"), Stop(), G("ip_src"), Back()]) == {**score([G("highest_layer")]), "length": 1}
    assert score([Stop(), G("ip_src")])["length"] == 0


def test_gt_stays_gt():
    engine = DisplayEngine.for_dataset("cyber", 1)
    gt = simulate([Filter("packet_number", "GT", "100")], engine).tokens[-1]
    ge = simulate([Filter("packet_number", "GE", "100")], engine).tokens[-1]
    assert gt != ge


def test_corpus_aggregation():
    sessions = [[], [G("highest_layer")], [Filter("highest_layer", "EQ", "ICMP"), G("ip_src")]]
    result = score_sessions(sessions, "cyber", 1)
    rows = result.sessions
    assert result.corpus["n_sessions"] == 3 and result.corpus["n_references"] == 7
    for m in ("precision", "eda_sim", "length", "back_at_root", *MEASURES):
        assert result.corpus[m] == pytest.approx(sum(r[m] for r in rows) / 3)
    engine, refs = DisplayEngine.for_dataset("cyber", 1), reference_set("cyber", 1)
    stats = BleuStats(3)
    for actions in sessions:
        stats.merge(score_instance(simulate(actions, engine), refs).bleu)
    assert stats.hyp_len == 1 + 2 + 3 and stats.ref_len == 3 * 13
    for n in (1, 2, 3):
        assert result.corpus[f"t_bleu_{n}"] == pytest.approx(stats.score(n))
    # corpus BLEU is not the mean of the per-session scores
    assert result.corpus["t_bleu_1"] != pytest.approx(sum(r["t_bleu_1"] for r in rows) / 3)


def test_input_forms_and_result_json(tmp_path):
    actions = [G("highest_layer"), Back()]
    doc = {
        "sessions": [
            {
                "name": "mine",
                "actions": [
                    {"type": "group", "column": "highest_layer", "agg_column": "packet_number"},
                    {"type": "back"},
                ],
            }
        ]
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps([doc["sessions"][0]["actions"]]))
    expected = score(actions)
    for form in (doc, str(path), path, bare, [Session("x", tuple(actions))], actions, [actions]):
        result = score_sessions(form, "cyber", 1)
        assert isinstance(result, ScoreResult)
        got = result.sessions[0]
        assert {m: got[m] for m in METRICS} == {m: expected[m] for m in METRICS}
    assert score_sessions(doc, "cyber", 1).sessions[0]["name"] == "mine"
    loaded = json.loads(score_sessions(doc, "cyber", 1).to_json())
    assert set(loaded) == {"sessions", "corpus"}
    assert list(loaded["sessions"][0])[:8] == ["name", "length", "back_at_root", *METRICS]


def test_empty_aggregation_column_means_the_primary_key():
    assert score([Group("highest_layer", "", "count")]) == score([G("highest_layer")])


def test_custom_references():
    refs = load_references("cyber", 1)
    row = score(list(refs[1].actions), references=[refs[1]])
    assert [row[m] for m in METRICS] == [1.0] * 5
    row = score(list(refs[1].actions), references=[refs[0]])
    assert row["eda_sim"] < 1.0


@pytest.mark.parametrize(
    "session, message",
    [
        ([{"type": "filter", "column": "number", "operator": "EQ", "term": "1"}], "unknown column 'number'"),
        (
            [{"type": "back"}, {"type": "filter", "column": "ip_src", "operator": "LIKE", "term": "1"}],
            "unknown operator 'LIKE'",
        ),
        ([{"type": "group", "column": "ip_src", "agg_column": "nope"}], "unknown column 'nope'"),
        ([{"type": "jump"}], "unknown action type"),
        ([{"type": "filter", "column": "ip_src"}], "missing field"),
    ],
)
def test_invalid_sessions_name_the_session_and_action(session, message):
    with pytest.raises(SessionFormatError) as err:
        score_sessions({"sessions": [{"name": "bad", "actions": session}]}, "cyber", 1)
    text = str(err.value)
    assert message in text and "'bad'" in text and f"action {len(session) - 1}" in text


def test_invalid_action_objects_are_rejected():
    with pytest.raises(SessionFormatError, match="action 1"):
        score_sessions([Session("s", (Back(), Filter("ip_src", "ABOUT", "x")))], "cyber", 1)
    with pytest.raises(SessionFormatError, match="no sessions"):
        score_sessions([], "cyber", 1)


def test_no_cache_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    score([G("ip_src")])
    assert list(tmp_path.iterdir()) == []


def test_eda_sim_is_independent_of_hash_order():
    code = (
        "from ilaeda.benchmark import score_sessions\n"
        "from ilaeda.data import load_references\n"
        "refs = load_references('cyber', 2)\n"
        "r = score_sessions(list(refs) + [list(refs[0].actions[:7])], 'cyber', 1)\n"
        "print([repr(s['eda_sim']) for s in r.sessions], repr(r.corpus['diversity']))\n"
    )
    outputs = set()
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
