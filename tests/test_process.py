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
        assert gc.isenabled()
        assert gc.get_freeze_count() >= before + len(made)
    finally:
        gc.unfreeze()
        if not enabled:
            gc.disable()


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
