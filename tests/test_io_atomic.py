"""Tests for hangzhou_address.io._atomic: same-file checks, stale temporaries, file modes (issue #13)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

import hangzhou_address.io._atomic as atomic_mod
from hangzhou_address.errors import InputError
from hangzhou_address.io._atomic import TMP_SUFFIX, atomic_path, atomic_write, check_outputs, current_umask


# ------------------------------------------------------------------ item 3: outputs vs inputs
def test_check_outputs_refuses_an_input_under_any_name(tmp_path, monkeypatch):
    src = tmp_path / "in.csv"
    src.write_text("a\n1\n")
    (tmp_path / "link.csv").symlink_to(src)
    os.link(src, tmp_path / "hard.csv")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    for alias in (src, "in.csv", "./in.csv", tmp_path / "sub" / ".." / "in.csv", tmp_path / "link.csv",
                  tmp_path / "hard.csv"):
        with pytest.raises(InputError, match="same file as the input"):
            check_outputs({"the input": src}, {"the output": alias})
    check_outputs({"the input": src}, {"the output": tmp_path / "out.csv", "the report": None})


def test_check_outputs_refuses_two_outputs_on_one_file(tmp_path):
    out = tmp_path / "out.csv"  # not created yet: compared by resolved path
    with pytest.raises(InputError, match="are the same file"):
        check_outputs({}, {"the output": out, "the review file": tmp_path / "." / "out.csv"})
    (tmp_path / "dangling.csv").symlink_to(out)  # a link to where the output will be
    with pytest.raises(InputError, match="are the same file"):
        check_outputs({}, {"the output": out, "the report": tmp_path / "dangling.csv"})
    check_outputs({"a": out, "b": out}, {"the output": tmp_path / "o.csv"})  # reading one file twice is fine


# ------------------------------------------------------------------ item 6: stale temporaries
def _stale_name(target, pid):
    return target.parent / f".{target.name}.{pid}.abc123xy{TMP_SUFFIX}"


def test_next_write_removes_temporaries_of_dead_writers_only(tmp_path):
    target = tmp_path / "out.csv"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = _stale_name(target, dead.pid)
        stale.write_text("姓名,地址\n王小明,文三路12号\n")  # what kill -9 leaves behind
        kept = _stale_name(target, live.pid)
        kept.write_text("being written")
        others = [tmp_path / f".other.csv.{dead.pid}.abc123xy{TMP_SUFFIX}",  # another target's
                  tmp_path / f".out.csv.x.{dead.pid}.abc123xy{TMP_SUFFIX}",  # the temporary of "out.csv.x"
                  tmp_path / f".out.csv.{dead.pid}.tmp",  # not our suffix
                  tmp_path / "notes.txt"]
        for p in others:
            p.write_text("x")
        with atomic_write(target, "w") as fh:
            fh.write("new")
        assert not stale.exists()
        assert kept.exists() and all(p.exists() for p in others)
        assert target.read_text() == "new"
    finally:
        live.kill()
        live.wait()


def test_temporary_of_a_reused_pid_is_stale(tmp_path):
    target = tmp_path / "out.csv"
    old = _stale_name(target, os.getpid())  # our pid, but written before this process started
    old.write_text("x")
    day_ago = time.time() - 86400
    os.utime(old, (day_ago, day_ago))
    fresh = _stale_name(target, os.getpid()).with_name(f".out.csv.{os.getpid()}.zz9{TMP_SUFFIX}")
    fresh.write_text("another thread of ours is writing this")
    with atomic_write(target, "w") as fh:
        fh.write("new")
    assert not old.exists() and fresh.exists()


def test_temporary_is_named_with_pid_and_removed_on_error(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.name.startswith(f".out.csv.{os.getpid()}.") and tmp.name.endswith(TMP_SUFFIX)
            assert oct(tmp.stat().st_mode & 0o777) == "0o600"  # ledger content is private while written
            raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ item 12: the user's umask
@pytest.mark.parametrize("umask, expected", [(0o077, 0o600), (0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_published_mode_follows_the_umask(tmp_path, umask, expected):
    old = os.umask(umask)
    try:
        assert current_umask() == umask
        with atomic_write(tmp_path / "out.csv", "w") as fh:
            fh.write("x")
        with atomic_path(tmp_path / "t.parquet") as tmp:
            tmp.write_bytes(b"x")
        from hangzhou_address.report import write_report
        from hangzhou_address.ledger import NormalizeSummary

        write_report(tmp_path / "r.html", NormalizeSummary())
    finally:
        os.umask(old)
    for name in ("out.csv", "t.parquet", "r.html"):
        assert (tmp_path / name).stat().st_mode & 0o777 == expected, name


def test_current_umask_without_proc(monkeypatch):
    def no_proc(*a, **k):
        raise OSError("no /proc here")

    monkeypatch.setattr(atomic_mod, "open", no_proc, raising=False)
    old = os.umask(0o027)
    try:
        assert current_umask() == 0o027
        assert os.umask(0o027) == 0o027  # left unchanged
    finally:
        os.umask(old)


def test_leftover_of_a_killed_writer_is_removed_by_the_next_write(tmp_path):
    import signal

    target = tmp_path / "out.csv"
    code = ("import sys, time\nfrom hangzhou_address.io._atomic import atomic_write\n"
            "with atomic_write(sys.argv[1], 'w') as fh:\n"
            "    fh.write('姓名,地址\\n王小明,文三路12号\\n'); fh.flush()\n"
            "    print('writing', flush=True); time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True,
                             cwd=os.getcwd())
    assert child.stdout.readline().strip() == "writing"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(f".out.csv.{child.pid}.") and left[0].endswith(TMP_SUFFIX)
    with atomic_write(target, "w") as fh:
        fh.write("new")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
