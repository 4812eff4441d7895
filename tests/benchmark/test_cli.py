"""``python -m ilaeda.benchmark score`` run as a subprocess."""

import csv
import json
import os
import subprocess
import sys

import pytest

from ilaeda.benchmark import MEASURES, METRICS

GROUP = {"type": "group", "column": "highest_layer", "agg_column": "packet_number", "agg_func": "count"}


def run(*args):
    env = {**os.environ, "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "ilaeda.benchmark", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def sessions(tmp_path):
    path = tmp_path / "sessions.json"
    path.write_text(
        json.dumps(
            {
                "sessions": [
                    {"name": "one-group", "actions": [GROUP, {"type": "stop"}, GROUP]},
                    {"name": "backs", "actions": [{"type": "back"}] * 12},
                ]
            }
        )
    )
    return path


def test_json_and_csv(sessions, tmp_path):
    out = tmp_path / "out.csv"
    done = run("score", "--schema", "cyber", "--dataset", 1, sessions, "--json", "--csv", out)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"sessions", "corpus"}
    first, second = result["sessions"]
    assert first["name"] == "one-group" and first["length"] == 1
    assert [first[m] for m in METRICS] == pytest.approx([1.0, 0.004087, 0.004087, 0.001897, 0.25], abs=1e-6)
    assert second["back_at_root"] == 12 and second["t_bleu_1"] == 1.0
    for key in ("name", "length", "back_at_root", *METRICS, *MEASURES):
        assert key in first
    assert result["corpus"]["precision"] == 1.0
    rows = list(csv.DictReader(out.open()))
    assert [r["name"] for r in rows] == ["one-group", "backs", "<corpus>"]
    assert float(rows[0]["eda_sim"]) == pytest.approx(0.25)


def test_table_output(sessions):
    done = run("score", "--dataset", 1, sessions)
    assert done.returncode == 0, done.stderr
    for text in ("length", "back@root", "precision", "T-BLEU-1", "EDA-Sim", "one-group", "<corpus>"):
        assert text in done.stdout
    header = next(line for line in done.stdout.splitlines() if "precision" in line)
    assert header.index("length") < header.index("precision")


def test_bare_list_and_references(tmp_path):
    path = tmp_path / "bare.json"
    path.write_text(json.dumps([[GROUP], []]))
    refs = tmp_path / "refs.json"
    refs.write_text(json.dumps([[GROUP, {"type": "back"}]]))
    done = run("score", "--dataset", 1, path, "--references", refs, "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["sessions"]
    assert rows[0]["eda_sim"] == 1.0 and rows[0]["t_bleu_1"] == pytest.approx(0.6065306597126334)


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "malformed JSON"),
        (
            json.dumps([[GROUP, {"type": "filter", "column": "nope", "operator": "EQ", "term": "x"}]]),
            "unknown column 'nope' in session 'session0', action 1",
        ),
        (
            json.dumps([[{"type": "filter", "column": "ip_src", "operator": "IS", "term": "x"}]]),
            "unknown operator 'IS' in session 'session0', action 0",
        ),
    ],
)
def test_errors_are_one_line(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    done = run("score", "--dataset", 1, path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and message in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_bad_dataset_and_missing_file(tmp_path):
    done = run("score", "--dataset", 9, tmp_path / "x.json")
    assert done.returncode == 2 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    done = run("score", "--dataset", 1, tmp_path / "missing.json")
    assert done.returncode == 2 and "not found" in done.stderr


@pytest.mark.parametrize("term", [None, [], {}, False, "NaN"])
def test_a_non_string_filter_term_is_one_error(tmp_path, term):
    path = tmp_path / "s.json"
    action = {"type": "filter", "column": "ip_src", "operator": "EQ", "term": term}
    path.write_text(json.dumps([[action]]).replace('"NaN"', "NaN"))
    done = run("score", "--dataset", 1, path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("error: ") and "invalid filter term" in done.stderr


def test_a_directory_as_the_sessions_file_is_one_error(tmp_path):
    done = run("score", "--dataset", 1, tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "is a directory" in done.stderr


@pytest.mark.parametrize(
    "header, message",
    [
        (1, "the session file's header says dataset 1 but dataset 2 was asked for; pass --dataset 1"),
        (1.5, "the session file's header says dataset 1.5, which is not a dataset number"),
        (True, "the session file's header says dataset true, which is not a dataset number"),
    ],
)
def test_a_header_naming_another_dataset_is_refused(tmp_path, header, message):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"schema": "cyber", "dataset": header, "sessions": [[GROUP]]}))
    done = run("score", "--dataset", 2, path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("error: ") and message in done.stderr


def test_a_bad_references_file_is_called_a_references_file(sessions, tmp_path):
    refs = tmp_path / "refs.json"
    refs.write_text(json.dumps({"sessions": 3}))
    done = run("score", "--dataset", 1, sessions, "--references", refs)
    assert done.returncode == 2 and "malformed references file" in done.stderr, done.stderr
    done = run("score", "--dataset", 1, sessions, "--references", tmp_path / "nope.json")
    assert done.returncode == 2 and f"references file {tmp_path / 'nope.json'} not found" in done.stderr


def test_help_lists_the_schemas_and_their_datasets():
    done = run("score", "--help")
    assert done.returncode == 0 and "cyber: 1, 2, 3, 4" in done.stdout
