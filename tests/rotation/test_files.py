"""The journal and the secrets file on a bad day: torn tails, short writes, a second run, hostile paths."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import aiodd
from aiodd.rotation import FileInUseError, Journal, NewKeySecret, SecretsFile
from aiodd.rotation._journal import Step
from aiodd.rotation._locked_file import LockedFile

SECRET = "dd-secret-0123456789abcdef0123456789abcdef"


def run_with_file_size_limit(limit: int, script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a child whose files may not grow past ``limit`` bytes (RLIMIT_FSIZE)."""
    prelude = f"import resource\nresource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script)], capture_output=True, text=True, timeout=60
    )


# --- LockedFile ---------------------------------------------------------------------------------


def test_a_torn_last_line_is_cut_off_when_the_file_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b'{"a":1}\n{"b":2}\n{"c":')
    handle = LockedFile(path)
    try:
        assert handle.lines() == [b'{"a":1}', b'{"b":2}']
        assert path.read_bytes() == b'{"a":1}\n{"b":2}\n'
        handle.append(b'{"d":4}\n')
    finally:
        handle.close()
    assert path.read_bytes() == b'{"a":1}\n{"b":2}\n{"d":4}\n'  # the next line is not glued onto the fragment


def test_a_read_only_open_repairs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b'{"a":1}\n{"c":')
    handle = LockedFile(path, read_only=True)
    handle.close()
    assert path.read_bytes() == b'{"a":1}\n{"c":'
    assert handle.lines() == [b'{"a":1}']


def test_a_short_write_leaves_the_file_exactly_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "log"
    before = b'{"line":"' + b"x" * 100 + b'"}\n'
    path.write_bytes(before)
    result = run_with_file_size_limit(
        len(before) + 10,
        f"""
        from aiodd.rotation._locked_file import LockedFile
        from aiodd.rotation import StorageError
        handle = LockedFile({str(path)!r})
        try:
            handle.append(b'{{"second":"' + b"y" * 200 + b'"}}\\n')
        except StorageError as exc:
            print("refused:", exc)
        handle.append(b"ok\\n")  # a short line still fits: the file is usable after a failure
        """,
    )
    assert result.returncode == 0, result.stderr
    assert "refused:" in result.stdout and "File too large" in result.stdout and str(path) in result.stdout
    assert path.read_bytes() == before + b"ok\n"


def test_a_second_holder_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "log"
    first = LockedFile(path)
    try:
        with pytest.raises(FileInUseError, match="in use by another run"):
            LockedFile(path)
        with pytest.raises(FileInUseError):
            LockedFile(path, read_only=True)
        other_process = subprocess.run(
            [sys.executable, "-c", f"from aiodd.rotation._locked_file import LockedFile; LockedFile({str(path)!r})"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert other_process.returncode != 0 and "FileInUseError" in other_process.stderr
    finally:
        first.close()
    LockedFile(path).close()  # released on close


def test_a_file_created_and_never_written_is_removed_on_close(tmp_path: Path) -> None:
    LockedFile(tmp_path / "unused").close()
    assert not (tmp_path / "unused").exists()
    kept = LockedFile(tmp_path / "used")
    kept.append(b"x\n")
    kept.close()
    assert (tmp_path / "used").read_bytes() == b"x\n"


def test_what_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(aiodd.ConfigurationError, match="not a regular file"):
        LockedFile(tmp_path / "fifo")  # and it does not hang waiting for a reader


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(aiodd.ConfigurationError, match=r"directory .* does not exist"):
        LockedFile(tmp_path / "nowhere" / "file", private=True)


# --- the secrets file ------------------------------------------------------------------------------


def new_secret(key_id: str = "key-1") -> NewKeySecret:
    return NewKeySecret("sa-1", key_id, "deploy [rotated 0123456789ab]", "old-1", SECRET)


async def test_the_secrets_file_is_created_owner_only_and_holds_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "secrets.jsonl"
    sink = SecretsFile(path)
    try:
        await sink(new_secret())
        assert sink.holds("key-1") and not sink.holds("key-2")
    finally:
        sink.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [line] = path.read_text().splitlines()
    assert json.loads(line)["secret"] == SECRET
    reopened = SecretsFile(path)
    assert reopened.holds("key-1")  # a resume can ask what was delivered
    reopened.close()


def test_a_symlinked_secrets_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("")
    target.chmod(0o600)
    (tmp_path / "secrets.jsonl").symlink_to(target)
    with pytest.raises(aiodd.ConfigurationError, match="symbolic link"):
        SecretsFile(tmp_path / "secrets.jsonl")
    assert target.read_text() == ""


def test_a_secrets_file_others_can_read_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "secrets.jsonl"
    path.write_bytes(b'{"torn":')
    path.chmod(0o640)
    with pytest.raises(aiodd.ConfigurationError, match="accessible to other users"):
        SecretsFile(path)
    assert path.read_bytes() == b'{"torn":'  # refused before anything was written or repaired


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can make a file owned by another user")
def test_a_secrets_file_of_another_user_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secrets.jsonl"
    path.write_text("")
    path.chmod(0o600)
    os.chown(path, 65534, 65534)
    with pytest.raises(aiodd.ConfigurationError, match="belongs to another user"):
        SecretsFile(path)


def test_a_short_write_of_a_secret_leaves_only_complete_lines_and_shows_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "secrets.jsonl"
    filler = b'{"filler":"' + b"f" * 200 + b'"}\n'
    path.write_bytes(filler)
    path.chmod(0o600)
    result = run_with_file_size_limit(
        len(filler) + 20,
        f"""
        import asyncio, traceback
        from aiodd.rotation import SecretsFile
        from aiodd.rotation import NewKeySecret, StorageError
        async def main():
            sink = SecretsFile({str(path)!r})
            try:
                await sink(NewKeySecret("sa", "key-1", "name", "old", {SECRET!r}))
            except StorageError as exc:
                te = traceback.TracebackException(type(exc), exc, exc.__traceback__, capture_locals=True)
                print("".join(te.format()))
                print("holds:", sink.holds("key-1"))
        asyncio.run(main())
        """,
    )
    assert result.returncode == 0, result.stderr
    assert "File too large" in result.stdout and "holds: False" in result.stdout
    assert SECRET not in result.stdout  # not in the message, not in any captured local
    assert path.read_bytes() == filler


# --- the journal -----------------------------------------------------------------------------------


async def test_a_journal_names_itself_then_records_steps_without_secrets(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        marker = journal.marker_for("sa", "old")
        await journal.record("sa", "old", Step.CREATING, marker=marker)
    header, record = (json.loads(line) for line in path.read_text().splitlines())
    assert header == {"journal": "aiodd.rotation", "version": 2, "id": journal.id}
    assert record == {"sa": "sa", "old": "old", "step": "creating", "marker": marker}
    with Journal(path) as again:
        assert again.id == journal.id and again.marker_for("sa", "old") == marker
        assert again.get("sa", "old").step == Step.CREATING  # type: ignore[union-attr]


def test_markers_differ_per_journal_and_per_key(tmp_path: Path) -> None:
    one, two = Journal(), Journal()
    assert one.marker_for("sa", "a") != two.marker_for("sa", "a")
    assert one.marker_for("sa", "a") != one.marker_for("sa", "b")
    assert len(one.marker_for("sa", "a")) == 12


async def test_a_journal_from_aiodd_0_1_resumes_and_its_glued_line_is_recovered(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    creating = {"sa": "sa", "old": "k1", "step": "creating", "marker": "0123456789ab"}
    created = {"sa": "sa", "old": "k1", "step": "created", "new": "n1"}
    # 0.1 skipped a torn line but appended the next record onto it, on the same line.
    path.write_text(json.dumps(creating) + "\n" + '{"sa":"sa","old":"k2","st' + json.dumps(created) + "\n")
    with Journal(path) as journal:
        progress = journal.get("sa", "k1")
        assert progress is not None and progress.step == Step.CREATED and progress.new_key_id == "n1"
        assert progress.marker == "0123456789ab"
        await journal.record("sa", "k1", Step.DELIVERED)
    lines = path.read_text().splitlines()
    assert json.loads(lines[-2])["journal"] == "aiodd.rotation"  # the header is added before the first new line
    assert json.loads(lines[-1]) == {"sa": "sa", "old": "k1", "step": "delivered"}


async def test_a_journal_in_use_is_refused_and_a_read_only_one_is_never_created(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(tmp_path / "absent.jsonl", read_only=True) as dry:
        assert dry.get("sa", "x") is None
    assert not (tmp_path / "absent.jsonl").exists()
    with Journal(path):
        with pytest.raises(FileInUseError):
            Journal(path)
        with pytest.raises(FileInUseError):
            Journal(path, read_only=True)


def test_a_failed_journal_write_changes_neither_the_file_nor_the_state(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    result = run_with_file_size_limit(
        300,
        f"""
        import asyncio
        from aiodd.rotation import Journal, StorageError
        async def main():
            with Journal({str(path)!r}) as journal:
                await journal.record("sa", "k1", "creating", marker="m")
                try:
                    await journal.record("sa", "k1", "created", new="n" * 400)
                except StorageError as exc:
                    print("refused:", exc)
                print("step:", journal.get("sa", "k1").step)
        asyncio.run(main())
        """,
    )
    assert result.returncode == 0, result.stderr
    assert "refused: could not write" in result.stdout and "step: creating" in result.stdout
    assert [json.loads(line)["step"] for line in path.read_text().splitlines()[1:]] == ["creating"]
