"""The on-disk demonstration cache: keys, invalidation, corruption, concurrent builders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import ilaeda.demos.cache as cache
import ilaeda.demos.splits as splits
from ilaeda.data.schema import load_schema
from ilaeda.demos.cache import cache_entries, clear_cache
from ilaeda.demos.splits import dataset_replays

CYBER = load_schema("cyber")

REPO = Path(__file__).resolve().parents[2]


def same(a, b) -> bool:  # type: ignore[no-untyped-def]
    return a.names == b.names and all(
        np.array_equal(getattr(a, f), getattr(b, f))
        for f in ("steps", "n_actions", "obs", "acts", "step_kind", "action_type", "representable")
    )


def test_hit_miss_and_invalidation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = dataset_replays(CYBER, 2, cache_dir=tmp_path)
    (entry,) = cache_entries(tmp_path)
    assert entry.name.startswith("cyber-sessions-d2-h12-")

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(splits, "replay_sessions", fail)
    assert same(dataset_replays(CYBER, 2, cache_dir=tmp_path), built)
    monkeypatch.undo()

    dataset_replays(CYBER, 2, horizon=6, cache_dir=tmp_path)  # an option → a new entry
    monkeypatch.setattr(cache, "CODE_VERSION", cache.CODE_VERSION + 1)  # a code change → a new entry
    dataset_replays(CYBER, 2, cache_dir=tmp_path)
    monkeypatch.undo()
    assert len(cache_entries(tmp_path)) == 3
    assert clear_cache(tmp_path) == 3 and cache_entries(tmp_path) == []


def test_changed_inputs_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ilaeda.data.locate

    # stand-ins for a new upstream version of the files: their checksums are not the pinned ones
    monkeypatch.setattr(ilaeda.data.locate, "ensure_verified", lambda file, path, stamps: path)
    real = Path(os.environ["ILAEDA_DATA_DIR"])
    data = tmp_path / "data"
    (data / "reactida").mkdir(parents=True)
    lines = (real / "reactida" / "actions.tsv").read_text().splitlines(keepends=True)
    (data / "reactida" / "actions.tsv").write_text("".join(lines))
    store = tmp_path / "cache"
    first = dataset_replays(CYBER, 2, data_dir=data, cache_dir=store)
    # drop the rows of dataset 2's first session: a new key, one session fewer
    header, rows = lines[0], lines[1:]
    first_id = next(r.split("\t")[3] for r in rows if r.split("\t")[5] == "2")
    (data / "reactida" / "actions.tsv").write_text(header + "".join(r for r in rows if r.split("\t")[3] != first_id))
    second = dataset_replays(CYBER, 2, data_dir=data, cache_dir=store)
    assert len(second) == len(first) - 1 and len(cache_entries(store)) == 2
    # a changed dataset file: a new key too
    target = data / "atena" / "datasets" / "cyber" / "2.tsv"
    target.parent.mkdir(parents=True)
    shutil.copy(real / "atena" / "datasets" / "cyber" / "2.tsv", target)
    with target.open("a") as handle:
        handle.write(target.read_text().splitlines()[-1] + "\n")  # one more row
    dataset_replays(CYBER, 2, data_dir=data, cache_dir=store)
    assert len(cache_entries(store)) == 3


def test_corrupt_entry_is_rebuilt(tmp_path: Path) -> None:
    built = dataset_replays(CYBER, 2, cache_dir=tmp_path)
    (entry,) = cache_entries(tmp_path)
    entry.write_bytes(entry.read_bytes()[:100])  # a torn file (e.g. from another tool)
    assert same(dataset_replays(CYBER, 2, cache_dir=tmp_path), built)
    assert same(cache._load(entry), built)


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    dataset_replays(CYBER, 2, cache_dir=tmp_path, use_cache=False)
    assert list(tmp_path.iterdir()) == []


WRITER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    import ilaeda.demos.splits as splits
    real = splits.replay_sessions
    built = []
    def slow(*args, **kwargs):
        built.append(1)
        result = real(*args, **kwargs)
        (go.parent / f"missed-{os.getpid()}").touch()
        while len(list(go.parent.glob("missed-*"))) < 2:  # both writers missed the cache: both write, at once
            time.sleep(0.005)
        return result
    splits.replay_sessions = slow
    go = Path(sys.argv[2])
    Path(sys.argv[3]).touch()  # imported and ready
    while not go.exists():
        time.sleep(0.005)
    replays = splits.dataset_replays(splits.load_schema("cyber"), 2, cache_dir=sys.argv[1])
    print(len(built), len(replays), float(replays.obs.sum()))
""")

READER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import numpy as np
    directory, go, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[4])
    Path(sys.argv[3]).touch()
    while not go.exists():
        time.sleep(0.005)
    loads, last = 0, False
    while not last:  # reads while the writers work, and once more after both have finished
        last = stop.exists()
        for path in directory.glob("*.npz"):
            with np.load(path) as data:  # a published entry is always complete
                assert data["obs"].shape[0] > 0
            loads += 1
        time.sleep(0.01)
    print(loads)
""")


def test_two_processes_build_the_same_entry(tmp_path: Path) -> None:
    store, go, stop = tmp_path / "cache", tmp_path / "go", tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "OMP_NUM_THREADS": "1"}
    ready = [tmp_path / f"ready{i}" for i in range(3)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(store), str(go), str(flag), str(stop)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for code, flag in zip((WRITER, WRITER, READER), ready)
    ]
    while not all(f.exists() for f in ready):  # all three imported, however loaded the machine
        assert all(p.poll() is None for p in procs), [p.communicate()[1][-2000:] for p in procs]
        time.sleep(0.01)
    go.touch()
    outputs = [p.communicate(timeout=600) for p in procs[:2]]
    stop.touch()
    outputs.append(procs[2].communicate(timeout=600))
    for proc, (_out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
    assert outputs[0][0] == outputs[1][0] and outputs[0][0].startswith("1 ")  # both missed and wrote
    assert int(outputs[2][0]) > 0
    entries = cache_entries(store)
    assert len(entries) == 1 and [p.name for p in store.iterdir()] == [entries[0].name]  # no temp file left
    assert same(cache._load(entries[0]), dataset_replays(CYBER, 2, use_cache=False))
