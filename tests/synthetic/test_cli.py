"""``python -m ilaeda.synthetic``: make, discovery, random; bad input is one ``error:`` line and exit 2."""

import json
from pathlib import Path

import pytest

from ilaeda.synthetic.__main__ import main


def test_make_then_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bundle"
    assert (
        main(["make", str(out), "--rows", "1000", "--datasets", "2", "--seed", "4", "--events", "port_scan,port_scan"])
        == 0
    )
    manifest = json.loads((out / "events.json").read_text())
    assert [e["id"] for e in manifest["datasets"]["2"]] == ["port_scan-1", "port_scan-2"]
    scanners = {e["parameters"]["scanner"] for e in manifest["datasets"]["2"]}
    assert len(scanners) == 2  # two scans of one table come from two hosts
    capsys.readouterr()
    assert main(["discovery", str(out), str(out / "references" / "2.json"), "--dataset", "2"]) == 0
    assert "discovery 1.0000 over 2 sessions" in capsys.readouterr().out
    assert main(["random", str(out), "--sessions", "20"]) == 0
    assert "random agent: mean discovery" in capsys.readouterr().out


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code  # type: ignore[assignment]
    assert code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1, errors
    return errors[0]


def test_bad_input_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "b")
    assert "1000..10000000" in _error(["make", out, "--rows", "999"], capsys)
    assert "not a whole number" in _error(["make", out, "--rows", "1e4"], capsys)
    assert "unknown event kinds ['dns_tunnel']" in _error(["make", out, "--events", "port_scan,dns_tunnel"], capsys)
    assert "do not fit" in _error(["make", out, "--rows", "1000", "--events", ",".join(["port_scan"] * 7)], capsys)
    (tmp_path / "file").write_text("x")
    assert "not an empty folder" in _error(["make", str(tmp_path / "file")], capsys)
    assert "not a synthetic bundle" in _error(["random", str(tmp_path)], capsys)
    assert not (tmp_path / "b").exists()
    main(["make", out, "--rows", "1000", "--datasets", "1", "--no-references"])
    assert not (tmp_path / "b" / "references").exists()
    assert "unknown dataset 3" in _error(["discovery", out, str(tmp_path / "file"), "--dataset", "3"], capsys)
    assert "malformed JSON" in _error(["discovery", out, str(tmp_path / "file")], capsys)
