"""`python -m cinebrief.demo` (and `make demo`): show what cinebrief does with the example briefs.

Steps: 1. find the examples, 2. load each brief, 3. build each shot's checked request, 4. print its prompt.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cinebrief.brief import load_brief
from cinebrief.errors import CinebriefError
from cinebrief.prompts.request import shot_request


def find_examples(start: Path | None = None) -> list[Path]:
    """The example briefs: `examples/` beside the source tree, else in the working folder."""
    candidates = [Path(__file__).resolve().parents[2] / "examples", (start or Path.cwd()) / "examples"]
    for folder in candidates:
        briefs = sorted(folder.glob("*.yaml"))
        if briefs:
            return briefs
    return []


def show_brief(path: Path) -> None:
    brief = load_brief(path)
    print(f"# {path.name}: {brief.title or 'untitled'} ({len(brief.shots)} shot{'s' if len(brief.shots) > 1 else ''})")
    for shot in brief.shots:
        request = shot_request(brief, shot, brief_dir=path.parent)
        reference = f", input_reference {request.input_reference.name}" if request.input_reference else ""
        print(f"\n## {shot.id}: {request.model}, {request.size}, {request.seconds} s{reference}\n")
        print(request.prompt)
    print()


def main() -> int:
    # 1. Find the examples.
    examples = find_examples()
    if not examples:
        print("error: no example briefs found (looked for examples/*.yaml)", file=sys.stderr)
        return 2
    # 2-4. Load, check and render each one.
    for path in examples:
        try:
            show_brief(path)
        except CinebriefError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return getattr(exc, "exit_code", 1)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `python -m cinebrief.demo | head` closed the pipe: not an error
        sys.stderr.close()
        sys.exit(0)
