"""A short-lived process's settings (`cinebrief.process`): modules loaded without collections and frozen after;
freed memory kept by glibc for the next allocation."""

from __future__ import annotations

import gc
import platform
import subprocess
import sys

import pytest

from cinebrief.process import loading


def test_loading_pauses_the_collector_and_freezes_what_it_made() -> None:
    before = gc.get_freeze_count()
    enabled = gc.isenabled()
    try:
        gc.enable()
        with loading():
            assert not gc.isenabled()
            made = [[index] for index in range(1000)]  # tracked container objects
            sys.modules["cinebrief_test_loaded_module"] = type(sys)("cinebrief_test_loaded_module")
        assert gc.isenabled()
        assert gc.get_freeze_count() >= before + len(made)
    finally:
        sys.modules.pop("cinebrief_test_loaded_module", None)
        gc.unfreeze()
        if not enabled:
            gc.disable()


def test_loading_what_is_loaded_already_freezes_nothing() -> None:
    """A worker's later jobs import modules loaded by its first: their objects must stay collectable."""
    gc.unfreeze()
    with loading():
        import json  # noqa: F401  (loaded long before)

        made = [[index] for index in range(1000)]
    assert gc.get_freeze_count() == 0 and len(made) == 1000


def test_loading_leaves_a_disabled_collector_disabled() -> None:
    enabled = gc.isenabled()
    gc.disable()
    try:
        with loading():
            pass
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_reuse_freed_memory_is_taken_by_glibc() -> None:
    # In a process of its own: the setting lasts for the life of the process.
    code = "from cinebrief.process import reuse_freed_memory; print(reuse_freed_memory())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"


ENTRY = """
import atexit, sys
from pathlib import Path
from cinebrief.process import entry_point

with entry_point():
    atexit.register(lambda: Path(sys.argv[1]).write_text("handler ran"))  # registered later, so run first
    sys.stdout.write("buffered, no newline")
    how = sys.argv[2]
    if how == "status":
        sys.exit(3)
    if how == "message":
        sys.exit("stopped: a message")
    if how == "raise":
        raise RuntimeError("boom")
    if how == "interrupt":
        raise KeyboardInterrupt
"""


@pytest.mark.parametrize(
    ("how", "status", "stderr_has"),
    [
        ("return", 0, ""),
        ("status", 3, ""),
        ("message", 1, "stopped: a message"),
        ("raise", 1, "RuntimeError: boom"),
        ("interrupt", 130, "KeyboardInterrupt"),
    ],
)
def test_entry_point_ends_with_the_status_after_every_exit_handler(tmp_path, how, status, stderr_has) -> None:
    marker = tmp_path / "marker"
    result = subprocess.run([sys.executable, "-c", ENTRY, str(marker), how], capture_output=True, text=True)
    assert result.returncode == status
    assert result.stdout == "buffered, no newline"  # flushed before the process ended
    assert marker.read_text() == "handler ran"
    assert stderr_has in result.stderr
