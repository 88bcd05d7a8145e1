"""`python -m cinebrief.demo` (and `make demo`): the main job on the embedded defaults (SQLite, previz).

Steps, each through the same commands a user types:
1. render the prompts of every example brief;
2. lint every example and show the findings;
3. preview one shot as an animatic MP4 (`cinebrief generate`);
4. run the three-shot sequence end to end (`cinebrief run`): clips, `final.mp4`, timeline, EDL, contact sheet.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cinebrief.cli.app import app

OUTPUT = Path("demo-output")
SEQUENCE = "ferry-sequence.yaml"
PREVIEW_BRIEF = "lamp-room.yaml"


def find_examples(start: Path | None = None) -> list[Path]:
    """The example briefs: `examples/` beside the source tree, else in the working folder."""
    candidates = [Path(__file__).resolve().parents[2] / "examples", (start or Path.cwd()) / "examples"]
    for folder in candidates:
        briefs = sorted(folder.glob("*.yaml"))
        if briefs:
            return briefs
    return []


def cinebrief(*args: str | Path) -> int:
    """Run one `cinebrief` command in-process; its exit code."""
    code = app(args=[str(a) for a in args], prog_name="cinebrief", standalone_mode=False)
    return int(code or 0)


def step(title: str) -> None:
    print(f"\n{'=' * 8} {title} {'=' * 8}\n", flush=True)


def main() -> int:
    examples = find_examples()
    if not examples:
        print("error: no example briefs found (looked for examples/*.yaml)", file=sys.stderr)
        return 2
    by_name = {path.name: path for path in examples}
    OUTPUT.mkdir(exist_ok=True)

    step("1. Prompts rendered from each example brief")
    for path in examples:
        print(f"# {path.name}")
        if code := cinebrief("render", path):
            return code

    step("2. Lint findings for each example brief")
    for path in examples:
        cinebrief("lint", path)  # findings are shown; warnings and infos do not stop the demo

    step("3. An animatic of one shot (previz)")
    preview = OUTPUT / "lamp-room.mp4"
    if code := cinebrief("generate", "--brief", by_name[PREVIEW_BRIEF], "-o", preview, "--seed", "7"):
        return code
    print(f"preview: {preview.resolve()}")

    step("4. The three-shot sequence end to end")
    run_dir = OUTPUT / "ferry"
    if code := cinebrief("run", by_name[SEQUENCE], "-o", run_dir):
        return code
    print(f"final cut: {(run_dir / 'final.mp4').resolve()}")
    print(f"timeline:  {(run_dir / 'timeline.otio').resolve()}")
    print(f"EDL:       {(run_dir / 'timeline.edl').resolve()}")
    print(f"manifest:  {(run_dir / 'run.json').resolve()}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `python -m cinebrief.demo | head` closed the pipe: not an error
        sys.stderr.close()
        sys.exit(0)
