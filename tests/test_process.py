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
    code = (
        "from cinebrief.process import one_render, reuse_freed_memory; "
        "print(one_render(), reuse_freed_memory(), one_render())"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False True True"


ENTRY = """
import atexit, logging, logging.handlers, sys
from pathlib import Path
from cinebrief.process import entry_point

class Teardown:  # freed by the interpreter's teardown, which the entry point skips
    def __del__(self):
        sys.stderr.write("teardown ran")

kept = Teardown()
log = logging.getLogger("entry")
# A handler that writes only when it is flushed or closed: logging's shutdown must run for the record to land.
target = logging.FileHandler(Path(sys.argv[1]).with_suffix(".log"), delay=True)
log.addHandler(logging.handlers.MemoryHandler(capacity=100, flushLevel=logging.CRITICAL, target=target))

with entry_point():
    log.warning("logged")
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
    assert stderr_has in result.stderr and "teardown ran" not in result.stderr
    assert marker.with_suffix(".log").read_text() == "logged\n"  # logging shut down though its handler came first


def test_a_backend_in_a_long_lived_process_freezes_nothing() -> None:
    """The previz backend loads its picture modules at its first job. In a server's worker the objects alive
    then (the server's, the job's) must stay collectable: only a one-render process (`generate`) freezes."""
    code = (
        "import gc, tempfile\n"
        "from pathlib import Path\n"
        "from cinebrief.backends.base import GenerationRequest\n"
        "from cinebrief.backends.previz import PrevizBackend\n"
        "before = gc.get_freeze_count()\n"
        "request = GenerationRequest(prompt='A kite over a ridge', model='sora-2', size='128x72', seconds='4')\n"
        "folder = Path(tempfile.mkdtemp())\n"
        "PrevizBackend().generate(request, folder, progress=lambda f: None, cancelled=lambda: False)\n"
        "print(before, gc.get_freeze_count())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    before, after = result.stdout.split()
    assert before == after == "0"
