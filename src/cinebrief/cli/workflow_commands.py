"""Commands: run, plan, stitch, remix, lineage, compare."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cinebrief.cli.app import app
from cinebrief.cli.output import stderr, stdout
from cinebrief.errors import InputError

if TYPE_CHECKING:
    from cinebrief.workflows.plan import Plan

BACKENDS_ESTIMATED = ("previz", "diffusers", "remote")
TABLE_WIDTH = 140  # wide enough for a plan's table in a pipe or a test runner


def _picks(values: list[str]) -> dict[str, int]:
    picks: dict[str, int] = {}
    for value in values:
        shot, _, number = value.partition("=")
        if not shot or not number.isdigit():
            raise InputError(f"--pick {value!r}: expected SHOT=VARIANT, such as --pick arrival=2", field="pick")
        picks[shot] = int(number)
    return picks


def _money(value: float | None) -> str:
    return "unknown" if value is None else f"${value:.2f}"


def print_plan(plan: Plan, *, budget: float | None, concurrency: int) -> bool:
    """The plan as a table, the totals and the budget verdict; returns whether the budget allows it."""
    from rich.table import Table

    table = Table(title=f"Plan: {plan.brief.title or 'untitled brief'}", title_justify="left")
    for column in ("clip", "shot", "seconds", "model", "size", "seed", "first frame", "cut", "cost"):
        table.add_column(column, justify="right" if column in ("seconds", "seed", "cost") else "left")
    for clip in plan.clips:
        first_frame = (
            f"last of {clip.chain_from}" if clip.chain else (clip.input_reference.name if clip.input_reference else "-")
        )
        table.add_row(
            clip.clip_id,
            clip.shot_id,
            clip.seconds,
            clip.model,
            clip.size,
            str(clip.seed),
            first_frame,
            "yes" if clip.picked else "",
            _money(clip.cost),
        )
    from rich.console import Console

    Console(highlight=False, width=max(stdout().width, TABLE_WIDTH)).print(table)
    cost = _money(plan.cost)
    if plan.cost is None:
        cost += f" (no known price for {', '.join(plan.unknown_cost_clips)})"
    stdout().print(f"clips: {len(plan.clips)}, cut: {plan.seconds} s, estimated cost at Sora 2 list prices: {cost}")
    times = []
    for backend in BACKENDS_ESTIMATED:
        estimate = plan.estimated_time(backend, concurrency=concurrency)
        times.append(f"{backend} {'unknown' if estimate is None else f'~{estimate:.0f} s'}")
    stdout().print(f"estimated time (concurrency {concurrency}): {', '.join(times)}")
    allowed, verdict = plan.budget_verdict(budget)
    stdout().print(f"budget: {verdict}")
    return allowed


@app.command()
def plan(
    brief: Path = typer.Argument(..., help="The brief (YAML).", show_default=False),
    variants: int = typer.Option(1, "--variants", help="Seeds per clip."),
    budget: float | None = typer.Option(None, "--budget", help="USD the run may cost at list prices."),
    no_split: bool = typer.Option(False, "--no-split", help="Keep shots longer than 4 s whole."),
    concurrency: int = typer.Option(2, "--concurrency", help="Clips generated at once (for the time estimate)."),
    pick: list[str] = typer.Option([], "--pick", help="SHOT=VARIANT: the variant that goes into the cut."),
) -> None:
    """Clips, seconds, estimated cost and time per backend, and the budget verdict (exit 1 when over)."""
    from cinebrief.brief.loader import load_brief
    from cinebrief.workflows.plan import plan_brief

    loaded = load_brief(brief)
    planned = plan_brief(
        loaded, brief_dir=brief.resolve().parent, split=not no_split, variants=variants, picks=_picks(pick)
    )
    if not print_plan(planned, budget=budget, concurrency=concurrency):
        raise typer.Exit(1)


@app.command()
def run(
    brief: Path = typer.Argument(..., help="The brief (YAML).", show_default=False),
    output: Path = typer.Option(..., "--output", "-o", help="The run folder.", show_default=False),
    server: str | None = typer.Option(None, "--server", help="A /v1/videos server URL (default: embedded engine)."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="CINEBRIEF_API_KEY", help="Key for --server."),
    concurrency: int = typer.Option(2, "--concurrency", min=1, max=64, help="Clips generated at once."),
    variants: int = typer.Option(1, "--variants", min=1, max=16, help="Seeds per clip."),
    budget: float | None = typer.Option(None, "--budget", help="Refuse to start above this many USD."),
    no_split: bool = typer.Option(False, "--no-split", help="Keep shots longer than 4 s whole."),
    pick: list[str] = typer.Option([], "--pick", help="SHOT=VARIANT: the variant that goes into the cut."),
) -> None:
    """Lint, plan, generate, stitch and export a brief; re-running resumes what is missing."""
    from cinebrief.workflows.run import RunOptions, run_brief

    options = RunOptions(
        brief_path=brief,
        output=output,
        server=server,
        api_key=api_key,
        concurrency=concurrency,
        variants=variants,
        budget=budget,
        split=not no_split,
        picks=_picks(pick),
    )
    with _RunProgress() as progress:
        outcome = run_brief(options, progress=progress.update, on_plan=progress.start)
    for finding in outcome.findings:
        stderr().print(f"{finding.severity}: {finding.code} {finding.name}: {finding.message}", markup=False)
    if outcome.refused:
        if outcome.plan is not None:
            print_plan(outcome.plan, budget=budget, concurrency=concurrency)
        stderr().print(f"refused: {outcome.refused}", markup=False)
        raise typer.Exit(1)
    for clip_id, message in outcome.failed.items():
        stderr().print(f"failed: {clip_id}: {message}", markup=False)
    if outcome.failed:
        stderr().print(f"{len(outcome.failed)} clip(s) failed; re-run the same command to retry them", markup=False)
        raise typer.Exit(1)
    stdout().print(f"generated {len(outcome.generated)} clip(s), reused {len(outcome.reused)}")
    for name, path in outcome.outputs.items():
        stdout().print(f"{name}: {output / path}")


class _RunProgress:
    """Rich progress bars on stderr: one per clip and one overall."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description}", markup=False),  # clip ids and statuses are text, not markup
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[status]}", markup=False),
            TimeElapsedColumn(),
            console=stderr(),
            transient=False,
        )
        self.tasks: dict[str, int] = {}
        self.overall: int | None = None
        self.finished: set[str] = set()

    def __enter__(self) -> _RunProgress:
        self.progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.progress.stop()

    def start(self, clip_ids: list[str]) -> None:
        self.overall = self.progress.add_task("all clips", total=len(clip_ids), status="")
        for clip_id in clip_ids:
            self.tasks[clip_id] = self.progress.add_task(clip_id, total=100, status="waiting")

    def update(self, clip_id: str, percent: int, status: str) -> None:
        task = self.tasks.get(clip_id)
        if task is None:
            return
        self.progress.update(task, completed=percent, status=status)
        if status in ("completed", "reused", "failed") and clip_id not in self.finished:
            self.finished.add(clip_id)
            if self.overall is not None:
                self.progress.update(self.overall, completed=len(self.finished))


@app.command()
def stitch(
    inputs: list[Path] = typer.Argument(..., help="Videos to join, in order.", show_default=False),
    output: Path = typer.Option(..., "--output", "-o", help="The MP4 to write.", show_default=False),
    crossfade: float = typer.Option(0.0, "--crossfade", help="Dissolve video and audio for this many seconds."),
    reencode: bool = typer.Option(False, "--reencode", help="Re-encode even when the clips could be copied."),
) -> None:
    """Join videos into one MP4: stream copy when they match, one normalising re-encode when they do not."""
    from cinebrief.media.stitch import stitch as stitch_videos

    result = stitch_videos(inputs, output, crossfade=crossfade, reencode=reencode)
    audio = f", audio {result.audio_seconds:.3f} s" if result.audio_seconds is not None else ", no audio"
    stdout().print(
        f"{result.output}: {result.clips} clips, {result.frames} frames, "
        f"video {result.video_seconds:.3f} s{audio} ({'stream copy' if result.method == 'copy' else 're-encoded'})"
    )
    for reason in result.reasons:
        stdout().print(f"  re-encoded because {reason}")


_DIR_HELP = "The run or project folder (the embedded engine keeps its data in DIR/.cinebrief)."


@app.command()
def remix(
    video_id: str | None = typer.Argument(None, help="The video to remix.", show_default=False),
    change: list[str] = typer.Option([], "--change", help="The one change, e.g. 'same shot, switch to 85 mm'."),
    brief: Path | None = typer.Option(None, "--brief", help="Remix a shot by what changed in this brief."),
    shot: str | None = typer.Option(None, "--shot", help="The shot id, with --brief."),
    force: bool = typer.Option(False, "--force", help="Allow more than one change."),
    folder: Path = typer.Option(Path("."), "--dir", "-d", help=_DIR_HELP),
    server: str | None = typer.Option(None, "--server", help="A /v1/videos server URL (default: embedded engine)."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="CINEBRIEF_API_KEY", help="Key for --server."),
) -> None:
    """Remix one change at a time: `VIDEO_ID --change TEXT`, or `--brief BRIEF --shot ID` (diffs the shot)."""
    from cinebrief.workflows.lineage import LineageStore
    from cinebrief.workflows.remix import remix_shot, remix_video
    from cinebrief.workflows.service import ENGINE_FOLDER, open_service

    if (video_id is None) == (brief is None):
        raise InputError("give either VIDEO_ID with --change, or --brief BRIEF --shot ID", field="video_id")
    if brief is not None and not shot:
        raise InputError("--brief needs --shot ID: the shot to remix", field="shot")
    if video_id is not None and not change:
        raise InputError("--change TEXT is required with VIDEO_ID: the one thing to change", field="change")
    store = LineageStore(folder / ENGINE_FOLDER)
    service = open_service(server=server, folder=folder, api_key=api_key)
    try:
        if video_id is not None:
            results = [remix_video(service, store, video_id, change, force=force)]
        else:
            assert brief is not None and shot is not None
            results = remix_shot(service, store, brief, shot, force=force)
    finally:
        service.close()
    for state in results:
        stdout().print(
            f"{state.id} {state.status} (remix of {state.remixed_from_video_id}): {state.prompt}", markup=False
        )


@app.command()
def lineage(
    video_id: str = typer.Argument(..., help="Any video of the tree.", show_default=False),
    folder: Path = typer.Option(Path("."), "--dir", "-d", help=_DIR_HELP),
    server: str | None = typer.Option(None, "--server", help="A /v1/videos server URL (default: embedded engine)."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="CINEBRIEF_API_KEY", help="Key for --server."),
) -> None:
    """Show the tree of remixes that holds VIDEO_ID, from its original down to every remix."""
    from rich.tree import Tree

    from cinebrief.workflows.lineage import LineageStore, describe_change, lineage_tree
    from cinebrief.workflows.service import ENGINE_FOLDER, open_service

    store = LineageStore(folder / ENGINE_FOLDER)
    service = open_service(server=server, folder=folder, api_key=api_key)
    try:
        videos = service.list_all()
    finally:
        service.close()
    root, children, by_id = lineage_tree(video_id, videos)

    def label(node_id: str) -> str:
        video, record = by_id[node_id], store.video(node_id)
        text = record.get("change") or (video.prompt or "").splitlines()[0][:80] if video.prompt else ""
        shot_id = f" [{record['shot_id']}]" if record.get("shot_id") else ""
        marker = "  <- this video" if node_id == video_id else ""
        what = describe_change(video)  # a remix: what its change did, on a line of its own
        return f"{node_id} {video.status}{shot_id}: {text}{marker}" + (f"\n({what})" if what else "")

    tree = Tree(label(root))
    pending = [(root, tree)]
    while pending:
        node_id, branch = pending.pop()
        for child in children.get(node_id, []):
            pending.append((child, branch.add(label(child))))
    from rich.console import Console

    Console(highlight=False, markup=False, width=max(stdout().width, TABLE_WIDTH)).print(tree, soft_wrap=True)


@app.command()
def compare(
    videos: list[str] = typer.Argument(..., help="Video ids (or MP4 files) to compare.", show_default=False),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for compare.mp4 and compare.png."),
    folder: Path = typer.Option(Path("."), "--dir", "-d", help=_DIR_HELP),
    server: str | None = typer.Option(None, "--server", help="A /v1/videos server URL (default: embedded engine)."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="CINEBRIEF_API_KEY", help="Key for --server."),
) -> None:
    """Write a side-by-side grid video and a contact sheet of variants."""
    from cinebrief.workflows.compare import write_compare_sheet, write_grid_video
    from cinebrief.workflows.service import open_service

    if len(videos) < 2:
        raise InputError("compare needs at least two videos", field="videos")
    output.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    service = None
    try:
        for video in videos:
            if Path(video).is_file():
                paths.append(Path(video))
                continue
            service = service or open_service(server=server, folder=folder, api_key=api_key)
            paths.append(service.download(video, output / f"{video}.mp4"))
    finally:
        if service is not None:
            service.close()
    labels = [Path(video).stem if Path(video).is_file() else video for video in videos]
    grid = write_grid_video(paths, labels, output / "compare.mp4")
    sheet = write_compare_sheet(paths, labels, output / "compare.png", title="compare")
    stdout().print(f"grid video: {grid}")
    stdout().print(f"contact sheet: {sheet}")
