"""Publishing a results folder is all or nothing, and two writers never mix (issue 14,
item 3): :func:`sim.report.files.staged` moves under a lock on the destination."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from sim.errors import SimError
from sim.report import files
from sim.report.files import check_writable, publish, staged
from sim.signals import forget_written, written

NAMES = [f"part{i}.csv" for i in range(6)]


def _fill(tag):
    def fill(tmp):
        for name in NAMES:
            (tmp / name).write_text(tag)

    return fill


@pytest.mark.parametrize("lock", ["flock", "filelock"])
def test_two_writers_of_one_folder_never_mix(tmp_path, monkeypatch, lock):
    """Each file's move is slowed so that two unserialised writers would interleave; with
    ``flock`` on the folder (POSIX) and with the lock file of the ``filelock`` package, what
    Windows uses (its own removes the file on release; the POSIX one leaves it)."""
    if lock == "filelock":
        pytest.importorskip("filelock", reason="filelock: pip install -e '.[test]'")
        monkeypatch.setattr(files, "fcntl", None)
    replace = os.replace

    def slow_replace(src, dst):
        replace(src, dst)
        time.sleep(0.01)

    monkeypatch.setattr(files.os, "replace", slow_replace)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("kept")
    for trial in range(5):
        start = threading.Barrier(2)

        def writer(tag, start):
            start.wait()
            publish(out, _fill(tag))

        threads = [threading.Thread(target=writer, args=(f"{trial}{t}", start)) for t in "AB"]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        contents = {(out / name).read_text() for name in NAMES}
        assert len(contents) == 1, f"trial {trial}: a mixed folder {sorted(contents)}"
        assert (out / "notes.txt").read_text() == "kept"
    left = sorted(p.name for p in tmp_path.iterdir())  # no temporary folder left
    assert left == (["out"] if lock == "flock" else [".out.lock", "out"])


def test_an_error_while_filling_leaves_the_destination_as_it_was(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "part0.csv").write_text("old")

    def fill(tmp):
        (tmp / "part0.csv").write_text("new")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish(out, fill)
    assert (out / "part0.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_new_nested_destination_is_removed_again_on_error(tmp_path):
    with pytest.raises(RuntimeError), staged([tmp_path / "a" / "b" / "out"]) as (tmp,):
        (tmp / "x").write_text("x")
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


def test_check_writable_names_the_obstacle(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "missing")
    check_writable(tmp_path / "new" / "deeper")  # creates nothing
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "link"]
    with pytest.raises(SimError, match="is a file, so no folder can be made below it"):
        check_writable(blocker / "out")
    with pytest.raises(SimError, match="is a file, not a folder"):
        check_writable(blocker)
    with pytest.raises(SimError, match="symbolic link to .*missing, which does not exist"):
        check_writable(link)


def test_ctrl_c_during_the_move_waits_for_its_end(tmp_path, monkeypatch):
    replace = os.replace
    calls = []

    def replace_then_interrupt(src, dst):
        replace(src, dst)
        calls.append(dst)
        if len(calls) == 1:
            signal.raise_signal(signal.SIGINT)  # Ctrl-C after the first file

    monkeypatch.setattr(files.os, "replace", replace_then_interrupt)
    forget_written()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            publish(tmp_path / "out", _fill("A"))
    finally:
        signal.signal(signal.SIGINT, previous)
    assert written() == [str(tmp_path / "out")]  # the command says the results were written
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == NAMES  # all moved in
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_where_a_result_file_goes_is_refused_before_anything_moves(tmp_path):
    out = tmp_path / "out"
    publish(out, _fill("old"))
    (out / NAMES[3]).unlink()
    (out / NAMES[3]).mkdir()
    with pytest.raises(SimError, match=rf"{NAMES[3]}: error: is a folder where the results"):
        publish(out, _fill("new"))
    assert {p.name: p.read_text() for p in out.iterdir() if p.is_file()} == {
        name: "old" for name in NAMES if name != NAMES[3]
    }
    assert sorted(p.name for p in tmp_path.rglob(".*")) == []


def test_a_move_that_fails_midway_puts_the_old_files_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    publish(out, _fill("old"))
    replace, calls = os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 7:  # old files 0-2 set aside and new ones moved in, then 3 fails
            raise OSError(5, "Input/output error", str(dst))
        replace(src, dst)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(SimError, match="cannot write the results folder here"):
        publish(out, _fill("new"))
    assert {p.name: p.read_text() for p in out.iterdir()} == {name: "old" for name in NAMES}
    assert sorted(p.name for p in tmp_path.rglob(".*")) == []


def test_a_signal_before_the_move_leaves_no_empty_new_folder(tmp_path, monkeypatch):
    # a SIGTERM between making the destination and moving into it once left it empty
    # while the command said "nothing was written" (issue 14, trial 14 N6)
    out = tmp_path / "out"

    def interrupted(item, target):
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "_check_replaceable", interrupted)
    with pytest.raises(KeyboardInterrupt):
        publish(out, _fill("new"))
    assert not out.exists()
    existing = tmp_path / "kept"
    existing.mkdir()
    with pytest.raises(KeyboardInterrupt):
        publish(existing, _fill("new"))
    assert existing.is_dir()  # a folder that was there stays


def test_a_signal_during_the_writable_check_leaves_no_probe(tmp_path, monkeypatch):
    # trial 14 N7: a SIGTERM between making and removing the .sim-check probe left it there
    out = tmp_path / "out"
    out.mkdir()
    made = files.tempfile.mkdtemp

    def mkdtemp_then_signal(**kwargs):
        path = made(**kwargs)
        signal.raise_signal(signal.SIGINT)  # held until the probe is gone
        return path

    monkeypatch.setattr(files.tempfile, "mkdtemp", mkdtemp_then_signal)
    forget_written()
    with pytest.raises(KeyboardInterrupt):
        check_writable(out)
    assert list(out.iterdir()) == [] and list(tmp_path.iterdir()) == [out]
    assert written() == []  # the command says nothing was written


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a forked chart pool")
def test_the_chart_pool_gets_indices_not_results(monkeypatch):
    # trial 15 H1: each folder's results went through the pool's pipe (7 MB); stopped, the
    # pool waited for ever for its writer thread, blocked on the pipe nobody read. Workers
    # now read their item from the memory they inherited: the pipe carries an index.
    import multiprocessing.pool

    sent = []
    imap = multiprocessing.pool.Pool.imap_unordered

    def recording(self, func, iterable, chunksize=1):
        tasks = list(iterable)
        sent.extend(tasks)
        return imap(self, func, tasks, chunksize)

    def fill(item, charts, save_runs):
        return f"{len(item[0])}:{item[1]}"

    monkeypatch.setattr(multiprocessing.pool.Pool, "imap_unordered", recording)
    monkeypatch.setattr(files, "_fill_item", fill)  # the forked workers inherit it
    items = [(bytes(1_000_000 * (k + 1)), f"o{k}") for k in range(3)]
    told = []
    files.fill_results_many(items, charts=True, save_runs=False, jobs=2,
                            progress=lambda done, total, name: told.append(name))  # fmt: skip
    assert sent == [0, 1, 2]
    assert sorted(told) == ["1000000:o0", "2000000:o1", "3000000:o2"]
