"""Fixtures of the data tests: the real data folder, local HTTP servers, reference sources written as Python."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def data_dir(_test_environment: None) -> Path:
    """The real data folder (``$ILAEDA_DATA_DIR``, set by the root conftest)."""
    path = Path(os.environ["ILAEDA_DATA_DIR"])
    if not (path / "atena").is_dir():
        pytest.skip(f"the data folder {path} is missing; set ILAEDA_DATA_DIR to a folder holding the data")
    return path


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files, without request logs on stderr."""

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run an HTTP server on 127.0.0.1 (ephemeral port) in a thread; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve_dir(directory: Path) -> AbstractContextManager[str]:
    """An HTTP server of the files under ``directory``."""
    return serve(partial(QuietHandler, directory=str(directory)))


@pytest.fixture(scope="session")
def data_server(data_dir: Path) -> Iterator[str]:
    """Base URL of a local HTTP server of the real data folder."""
    with serve_dir(data_dir) as url:
        yield url


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache, with ILAEDA_DATA_DIR and the base URL unset: every file must be downloaded."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("ILAEDA_CACHE_DIR", str(cache))
    monkeypatch.delenv("ILAEDA_DATA_DIR", raising=False)
    monkeypatch.delenv("ILAEDA_DATA_BASE_URL", raising=False)
    return cache


# -- reference JSON written back as Python source, in the forms the upstream plausibly uses ----------------

_ENUM_OPS = {
    "EQ": "EQUAL",
    "NEQ": "NOT_EQUAL",
    "GT": "GREATER_THAN",
    "GE": "GREATER_EQUAL",
    "LT": "LESS_THAN",
    "LE": "LESS_EQUAL",
    "CONTAINS": "CONTAINS",
    "STARTS_WITH": "STARTS_WITH",
    "ENDS_WITH": "ENDS_WITH",
}
_HEADER = """\
from atena.simulation.actions import BackAction, FilterAction, GroupAction
from atena.simulation.actions import AggregationFunction, FilterOperator


class NotAReference:
    shape = [1, 2, 3]
"""


def _positional(action: dict) -> str:
    if action["type"] == "group":
        return (
            f"GroupAction({action['column']!r}, {action['agg_column']!r}, "
            f"AggregationFunction.{action['agg_func'].upper()})"
        )
    if action["type"] == "filter":
        return f"FilterAction({action['column']!r}, FilterOperator.{_ENUM_OPS[action['operator']]}, {action['term']!r})"
    return f"{action['type'].capitalize()}Action()"


def _keywords(action: dict) -> str:
    if action["type"] == "group":
        return (
            f"GroupAction(grouped_column={action['column']!r}, aggregated_column={action['agg_column']!r}, "
            f"aggregation_function=AggregationFunction.{action['agg_func'].upper()})"
        )
    if action["type"] == "filter":
        return (
            f"FilterAction(filtered_column={action['column']!r}, filter_operator=FilterOperator."
            f"{action['operator']}, filter_term={action['term']!r})"
        )
    return f"{action['type'].capitalize()}Action()"


def _strings(action: dict) -> str:
    if action["type"] == "group":
        return f"GroupAction({action['column']!r}, {action['agg_column']!r}, {action['agg_func']!r})"
    if action["type"] == "filter":
        return f"FilterAction({action['column']!r}, {action['operator'].lower()!r}, {action['term']!r})"
    return f"{action['type'].capitalize()}Action()"


def reference_source(document: dict, style: str) -> str:
    """Python source holding the sessions of a reference JSON document, in one of several styles."""
    sessions = [s["actions"] for s in document["sessions"]]
    if style == "dicts":
        return "REFERENCES = " + repr(sessions) + "\n"
    render = {
        "positional": _positional,
        "keywords": _keywords,
        "strings": _strings,
        "variables": _keywords,
        "named": _positional,
    }[style]
    bodies = ["[\n" + "".join(f"    {render(a)},\n" for a in actions) + "]" for actions in sessions]
    if style == "keywords":  # sessions bound to names, collected in a list
        names = [f"reference{i + 1}" for i in range(len(bodies))]
        lines = [f"{n} = {b}" for n, b in zip(names, bodies)]
        return _HEADER + "\n".join(lines) + f"\n\nreferences = [{', '.join(names)}]\n"
    if style == "variables":  # one module variable per session, no collection
        return _HEADER + "\n".join(f"reference_{i + 1}: list = {b}" for i, b in enumerate(bodies)) + "\n"
    if style == "named":  # (name, session) pairs inside a function
        pairs = ",\n".join(f'("ref{i}", {b})' for i, b in enumerate(bodies))
        return _HEADER + f"\n\ndef get_references():\n    return [\n{pairs}\n]\n"
    return _HEADER + "\nreferences = [\n" + ",\n".join(bodies) + "\n]\n"


@pytest.fixture(scope="session")
def reference_json(data_dir: Path) -> Callable[[str, int], tuple[bytes, dict]]:
    """``(bytes, document)`` of a real reference JSON file."""

    def read(schema: str, dataset: int) -> tuple[bytes, dict]:
        raw = (data_dir / "atena" / "references" / schema / f"dataset{dataset}.json").read_bytes()
        return raw, json.loads(raw)

    return read


@pytest.fixture(scope="session")
def reference_py() -> Callable[[dict, str], str]:
    """:func:`reference_source`: a reference document written as Python source in a given style."""
    return reference_source


@pytest.fixture(scope="session")
def http_server() -> Callable[[Callable[..., BaseHTTPRequestHandler]], AbstractContextManager[str]]:
    """The :func:`serve` context manager: ``with`` it on a handler class to get the base URL."""
    return serve


@pytest.fixture(scope="session")
def file_server() -> Callable[[Path], AbstractContextManager[str]]:
    """The :func:`serve_dir` context manager: ``with`` it on a directory to get the base URL."""
    return serve_dir
