"""Downloads for real, against HTTP servers on 127.0.0.1: good, corrupt, cut off, offline."""

from __future__ import annotations

import hashlib
import shutil
import socket
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from ilaeda.data import load_references, load_schema, load_table
from ilaeda.data.fetch import fetch_all, fetch_file, verify
from ilaeda.data.locate import locate
from ilaeda.errors import DataError

CYBER2 = "atena/datasets/cyber/2.tsv"


def _leftovers(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def closed_port_url() -> Iterator[str]:
    """A URL on 127.0.0.1 that refuses connections: its port stays bound (not listening) during the test, so no
    other test or xdist worker can start a server there meanwhile.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_good_fetch_into_an_empty_cache(empty_cache, data_server, data_dir, monkeypatch, closed_port_url):
    monkeypatch.setenv("ILAEDA_DATA_BASE_URL", data_server)
    frame = load_table("cyber", 2)
    cached = empty_cache / CYBER2
    assert len(frame) == 348
    assert cached.read_bytes() == (data_dir / CYBER2).read_bytes()
    assert _leftovers(empty_cache) == [cached]  # no temp files
    # The reference JSON is served as JSON by the mirror and verified too.
    assert len(load_references("flights", 2)) == 5
    # Found locally now: no server needed.
    monkeypatch.setenv("ILAEDA_DATA_BASE_URL", closed_port_url)
    assert locate(load_schema("cyber").datasets[2]) == cached


def test_fetch_file_with_base_url_argument(tmp_path, data_server, data_dir, monkeypatch):
    monkeypatch.delenv("ILAEDA_DATA_BASE_URL", raising=False)
    file = load_schema("flights").datasets[3]
    path = fetch_file(file, tmp_path, base_url=data_server + "/")
    assert path == tmp_path / file.path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == file.sha256


def test_corrupt_download_keeps_nothing(tmp_path, data_dir, file_server):
    mirror = tmp_path / "mirror"
    (mirror / CYBER2).parent.mkdir(parents=True)
    data = bytearray((data_dir / CYBER2).read_bytes())
    data[1000] ^= 0x01
    (mirror / CYBER2).write_bytes(bytes(data))
    file = load_schema("cyber").datasets[2]
    dest = tmp_path / "dest"
    with file_server(mirror) as url, pytest.raises(DataError) as info:
        fetch_file(file, dest, base_url=url)
    message = str(info.value)
    assert "checksum mismatch for atena/datasets/cyber/2.tsv" in message
    assert file.sha256 in message and hashlib.sha256(bytes(data)).hexdigest() in message
    assert "ILAEDA_DATA_DIR" in message
    assert _leftovers(dest) == []


def test_connection_cut_half_way_keeps_nothing(tmp_path, data_dir, http_server):
    body = (data_dir / CYBER2).read_bytes()

    class CutOff(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    file = load_schema("cyber").datasets[2]
    with http_server(CutOff) as url, pytest.raises(DataError, match="connection closed early") as info:
        fetch_file(file, tmp_path, base_url=url)
    assert "ILAEDA_DATA_DIR" in str(info.value)
    assert _leftovers(tmp_path) == []


def test_http_error_is_a_data_error(tmp_path, file_server):
    (tmp_path / "empty").mkdir()
    with file_server(tmp_path / "empty") as url, pytest.raises(DataError, match="HTTP 404"):
        fetch_file(load_schema("cyber").datasets[1], tmp_path / "dest", base_url=url)
    assert _leftovers(tmp_path / "dest") == []


def test_offline_is_one_clear_error(empty_cache, monkeypatch, tmp_path, closed_port_url):
    url = closed_port_url
    monkeypatch.setenv("ILAEDA_DATA_BASE_URL", url)
    with pytest.raises(DataError) as info:
        load_table("flights", 4, data_dir=tmp_path / "configured")
    message = str(info.value)
    assert "\n" not in message
    assert "set ILAEDA_DATA_DIR to a folder holding the data" in message
    assert "$ILAEDA_DATA_DIR is not set" in message
    assert f"{url}/atena/datasets/flights/4.tsv" in message
    assert str(tmp_path / "configured") in message and str(empty_cache) in message  # the dirs tried
    assert _leftovers(empty_cache) == []


def test_no_download_allowed_touches_no_network(empty_cache):
    file = load_schema("cyber").datasets[3]
    with pytest.raises(DataError, match=r"downloads are disabled.*ILAEDA_DATA_DIR"):
        locate(file, download=False)


def test_python_reference_source_is_converted_and_verified(
    tmp_path, reference_json, reference_py, file_server, monkeypatch
):
    """The upstream path: download ``datasetN.py``, rebuild the JSON by parsing, check its sha256."""
    monkeypatch.delenv("ILAEDA_DATA_BASE_URL", raising=False)
    file = load_schema("cyber").references[3]
    raw, document = reference_json("cyber", 3)
    upstream = file.url.split("://", 1)[1].split("/", 1)[1]  # owner/repo/commit/benchmark/.../dataset3.py
    mirror = tmp_path / "mirror"
    (mirror / upstream).parent.mkdir(parents=True)
    (mirror / upstream).write_text(reference_py(document, "positional"))
    with file_server(mirror) as url:
        local = replace(file, url=f"{url}/{upstream}")
        path = fetch_file(local, tmp_path / "dest")
        assert path.read_bytes() == raw
        # A source whose content differs is refused by the checksum and leaves nothing behind.
        first_filter = next(a for a in document["sessions"][2]["actions"] if a["type"] == "filter")
        first_filter["term"] += " (changed)"
        (mirror / upstream).write_text(reference_py(document, "keywords"))
        with pytest.raises(DataError, match="checksum mismatch"):
            fetch_file(local, tmp_path / "dest2")
    assert _leftovers(tmp_path / "dest2") == []


def test_verify_and_fetch_all(tmp_path, data_server, data_dir, monkeypatch):
    monkeypatch.delenv("ILAEDA_DATA_DIR", raising=False)
    monkeypatch.setenv("ILAEDA_CACHE_DIR", str(tmp_path / "cache"))
    assert {r.status for r in verify(["flights"])} == {"missing"}
    results = fetch_all(["flights"], base_url=data_server)
    assert [r.status for r in results] == ["downloaded"] * 8
    assert {r.status for r in verify(["flights"])} == {"ok"}
    # A corrupt copy in the cache is replaced; one in a user folder is reported and left alone.
    cached = tmp_path / "cache/atena/datasets/flights/1.tsv"
    cached.write_bytes(b"oops")
    user = tmp_path / "user"
    shutil.copytree(data_dir / "atena/references", user / "atena/references")
    (user / "atena/references/flights/dataset4.json").write_text("{}")
    statuses = {r.file.path: r for r in fetch_all(["flights"], data_dir=user, base_url=data_server)}
    assert statuses["atena/datasets/flights/1.tsv"].status == "downloaded"
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == load_schema("flights").datasets[1].sha256
    bad = statuses["atena/references/flights/dataset4.json"]
    assert (bad.status, bad.path) == ("corrupt", user / "atena/references/flights/dataset4.json")
    assert statuses["atena/references/flights/dataset1.json"].path == user / "atena/references/flights/dataset1.json"
    assert (user / "atena/references/flights/dataset4.json").read_text() == "{}"
