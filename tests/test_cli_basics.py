from __future__ import annotations

from cinebrief import __version__


def test_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cinebrief {__version__}"


def test_unknown_command_is_usage_error(cli) -> None:
    result = cli("no-such-command")
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr
