"""previz speed against the plainest possible encode of the same frames.

Anchor: the ffmpeg binary shipped by imageio-ffmpeg encoding `testsrc2` (a generated test pattern, no
synthesis cost worth the name) for the same number of frames, at the same size, with the same x264
preset, in the same run. previz: `PrevizBackend.generate` for a 12 s shot with a parallax move, three
beats, two lines of espeak-ng dialogue and a rain + traffic bed (video, audio, thumbnail, spritesheet).
Each previz run is a fresh child process so that its peak RSS is its own. The anchor keeps ffmpeg's default
rate control (crf 23); previz uses its own default, a constant quantiser (qp 17), which gives the size and
PSNR of crf 23 on animatics without x264's lookahead analysis. Both are printed with the table.

Goals: at least 10x realtime, at most 2x the anchor's time, peak memory under 400 MB.

    .venv/bin/python bench/previz.py [--seconds 12] [--sizes 1280x720 720x1280 1792x1024] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BRIEF = """
schema: cinebrief.brief/1
palette: [magenta, cyan, sodium orange]
characters:
  - {name: Courier, description: young courier in a yellow rain shell}
  - {name: Dispatcher, description: older man in a grey coat}
shots:
  - id: arrival
    scene: Wet asphalt, zebra crosswalk, neon signs reflecting in puddles at night.
    camera: {framing: wide establishing shot, angle: eye level, move: slow dolly left, lens: 32 mm, focus: shallow}
    lighting: neon key from camera left, cool rim from shop windows
    actions: [Courier pedals three times, brakes hard at the line, stops and looks up at the signal]
    dialogue:
      - {speaker: Courier, line: "Green. Come on."}
      - {speaker: Dispatcher, line: "You have two minutes, then the order goes to someone else."}
    sound: distant traffic hiss, rain on awnings
"""

CHILD = """
import json, resource, sys, time
from pathlib import Path
from cinebrief.backends.base import GenerationRequest
from cinebrief.backends.previz import PrevizBackend
from cinebrief.backends.previz import clip  # loaded by the first generate; loaded here, outside the timing
from cinebrief.brief import parse_brief
brief = parse_brief(sys.argv[1])
shot = brief.shots[0]
remix = None
if len(sys.argv) > 5:  # a remix: the source shot with the change applied, the source's seed, video and checkpoint
    from cinebrief.backends.base import RemixSource
    from cinebrief.prompts.change import apply_change
    remixed = apply_change(sys.argv[5], brief=brief, shot=shot)
    brief, shot = remixed.brief, remixed.shot
    # Read before the clock starts, as the job runner reads them before the backend runs.
    remix = RemixSource(video_id="video_source", prompt="", change=sys.argv[5], video=Path(sys.argv[6]).read_bytes(),
                        resume_state=json.loads(sys.argv[7]))
request = GenerationRequest(prompt="", model="sora-2", size=sys.argv[2], seconds=sys.argv[3], seed=7,
                            brief=brief, shot=shot, remix=remix)
def cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
start, cpu_start = time.perf_counter(), cpu()
saved = {}
result = PrevizBackend().generate(request, Path(sys.argv[4]), progress=lambda f: None, cancelled=lambda: False,
                                  checkpoint=saved.update)
elapsed, cpu_used = time.perf_counter() - start, cpu() - cpu_start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kept = "soundtrack_kept_from" in result.metadata
print(json.dumps({"seconds": elapsed, "cpu": cpu_used, "peak_mb": peak, "sound_kept": kept, "checkpoint": saved}))
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def anchor(size: str, frames: int, preset: str, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the ffmpeg encode."""
    import imageio_ffmpeg

    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=24",
        "-frames:v", str(frames), "-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p", str(out),
    ]  # fmt: skip
    start, cpu_start = time.perf_counter(), children_cpu()
    subprocess.run(command, check=True)
    return time.perf_counter() - start, children_cpu() - cpu_start


def previz(size: str, seconds: int, out: Path, remix: tuple[str, Path, str] | None = None) -> dict[str, Any]:
    """One `generate` in a fresh process; `remix`: the change, the source's video.mp4 and its checkpoint (JSON)."""
    arguments = [sys.executable, "-c", CHILD, BRIEF, size, str(seconds), str(out), *map(str, remix or ())]
    result = subprocess.run(arguments, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--sizes", nargs="+", default=["1280x720", "720x1280", "1792x1024"])
    parser.add_argument("--repeat", type=int, default=2, help="runs per size; the median is reported")
    parser.add_argument(
        "--before",
        type=Path,
        help="the src/ folder of another checkout (an earlier commit): its `generate` is timed in the same "
        "rounds as this one's, for a before/after row",
    )
    arguments = parser.parse_args()
    from cinebrief.backends.previz import PrevizBackend

    settings = PrevizBackend().settings
    preset = settings.preset
    rate_control = f"crf {settings.crf}" if settings.qp is None else f"constant qp {settings.qp}"
    frames = arguments.seconds * 24
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-previz-") as folder:
        for size in arguments.sizes:
            anchors, anchor_cpus, ours, our_cpus, peaks = [], [], [], [], []
            for run in range(arguments.repeat):  # interleaved, so a busy machine slows both alike
                wall, cpu = anchor(size, frames, preset, Path(folder) / f"anchor-{size}-{run}.mp4")
                anchors.append(wall)
                anchor_cpus.append(cpu)
                measured = previz(size, arguments.seconds, Path(folder) / f"previz-{size}-{run}")
                ours.append(measured["seconds"])
                our_cpus.append(measured["cpu"])
                peaks.append(measured["peak_mb"])
            median = statistics.median
            rows.append((size, median(anchors), median(ours), median(anchor_cpus), median(our_cpus), max(peaks)))
    print(f"previz vs ffmpeg testsrc2 anchor: {arguments.seconds} s = {frames} frames at 24 fps, x264 preset {preset}")
    print(f"rate control: anchor crf 23 (ffmpeg's default), previz {rate_control}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end of the run")
    header = (
        f"{'size':>10} {'anchor s':>9} {'previz s':>9} {'realtime':>9} {'vs anchor':>10}"
        f" {'cpu anchor':>11} {'cpu previz':>11} {'cpu ratio':>10} {'peak MB':>8}  goals"
    )
    print(header)
    print("-" * len(header))
    for size, anchor_s, ours_s, anchor_cpu, our_cpu, peak in rows:
        realtime = arguments.seconds / ours_s
        ratio = ours_s / anchor_s
        goals = [
            "10x rt ok" if realtime >= 10 else "10x rt MISSED",
            "2x anchor ok" if ratio <= 2 else "2x anchor MISSED",
            "<400 MB ok" if peak < 400 else "<400 MB MISSED",
        ]
        figures = f"{size:>10} {anchor_s:>9.2f} {ours_s:>9.2f} {realtime:>8.1f}x {ratio:>9.2f}x"
        cpu = f"{anchor_cpu:>10.2f}s {our_cpu:>10.2f}s {our_cpu / anchor_cpu:>9.2f}x {peak:>8.0f}"
        print(f"{figures} {cpu}  {', '.join(goals)}")
    with tempfile.TemporaryDirectory(prefix="bench-remix-") as folder:
        whole_process(arguments.seconds, arguments.repeat, Path(folder), arguments.before)
        remix_cost(arguments.seconds, arguments.repeat, Path(folder))


def whole_process(seconds: int, repeat: int, folder: Path, before: Path | None = None) -> None:
    """`cinebrief generate` as a user runs it (a new process: imports, speech, thumbnail, spritesheet) against
    the anchor, interleaved. Goals: at least 10x realtime, at most 2x the anchor. With `before` (another
    checkout's src/), that code's `generate` runs in the same rounds too."""
    prompt = (
        "Wet asphalt at a zebra crosswalk, neon signs in the puddles at night.\n\nCinematography:\n"
        "Camera shot: wide shot, eye level, slow dolly left, 32 mm\n\n"
        'Dialogue:\n- Courier: "Green. Come on."\n\nBackground Sound:\ndistant traffic hiss, rain on awnings'
    )
    # As a user's second run: Python's bytecode cache written (a first run writes it, unless the
    # environment says not to: PYTHONDONTWRITEBYTECODE is dropped for the children) and the files cached.
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    entry = "import sys; sys.argv[0] = 'cinebrief'; from cinebrief.cli import main; main()"
    # Both through the same launcher (the console script's two lines), so that only the code differs.
    commands = {"whole": ([sys.executable, "-c", entry], environment)}
    if before is not None:  # the same entry point, importing the other checkout's code first
        commands["before"] = ([sys.executable, "-c", entry], {**environment, "PYTHONPATH": str(before.resolve())})
    times: dict[str, list[float]] = {"anchor": [], **{name: [] for name in commands}}
    for run in range(-1, repeat):  # run -1 warms up and is not counted
        round_times = {"anchor": anchor("1280x720", seconds * 24, "ultrafast", folder / f"whole-anchor-{run}.mp4")[0]}
        for name, (command, env) in commands.items():
            start = time.perf_counter()
            subprocess.run(
                [*command, "generate", prompt, "--size", "1280x720", "--seconds", str(seconds), "-o",
                 str(folder / f"{name}-{run}.mp4")],
                check=True, capture_output=True, env=env,
            )  # fmt: skip
            round_times[name] = time.perf_counter() - start
        if run >= 0:
            for name, taken in round_times.items():
                times[name].append(taken)
    print(f"\nwhole process `cinebrief generate` {seconds} s 1280x720, {repeat} runs; anchor: ffmpeg ultrafast")
    header = f"{'':>8} {'anchor s':>9} {'whole s':>9} {'realtime':>9} {'vs anchor':>10}  goals"
    print(header)
    print("-" * len(header))
    rounds = sorted(zip(times["whole"], times["anchor"], strict=True))  # best: the fastest run, with its anchor
    for label, (whole, base) in (
        ("median", (statistics.median(times["whole"]), statistics.median(times["anchor"]))),
        ("best", rounds[0]),
    ):
        realtime, ratio = seconds / whole, whole / base
        goals = [
            "10x rt ok" if realtime >= 10 else "10x rt MISSED",
            "2x anchor ok" if ratio <= 2 else "2x anchor MISSED",
        ]
        print(f"{label:>8} {base:>9.2f} {whole:>9.2f} {realtime:>8.1f}x {ratio:>9.2f}x  {', '.join(goals)}")
    if before is not None:
        ratios = {name: statistics.median(t / a for t, a in zip(times[name], times["anchor"], strict=True))
                  for name in ("before", "whole")}  # fmt: skip
        print(
            f"before ({before}): median {statistics.median(times['before']):.2f} s, {ratios['before']:.2f}x the "
            f"anchor; this checkout {ratios['whole']:.2f}x (medians of each round's ratio)"
        )


def remix_cost(seconds: int, repeat: int, folder: Path) -> None:
    """Remixes of a rendered source, each handed the source's video and checkpoint as the job runner hands
    them, against rendering the source, interleaved: goal ratio <= 1 for "same shot, switch to 85 mm" (a picture
    change: the source's soundtrack is copied). A dialogue change, whose soundtrack is made again, is shown
    beside it."""
    lent = previz("1280x720", seconds, folder / "source")  # the source the remixes start from
    source, checkpoint = folder / "source" / "video.mp4", json.dumps(lent["checkpoint"])
    remixes = {"85 mm": "Same shot, switch to 85 mm", "new line": 'Same shot, Courier says "Red light. Wait."'}
    runs: dict[str, list[dict[str, Any]]] = {"source": [], **{name: [] for name in remixes}}
    for run in range(repeat):  # the order rotates, so that none always runs on a machine another warmed
        order = list(runs)[run % len(runs) :] + list(runs)[: run % len(runs)]
        for name in order:
            given = (remixes[name], source, checkpoint) if name in remixes else None
            runs[name].append(previz("1280x720", seconds, folder / f"{name}-{run}", given))
    median = statistics.median
    base, base_cpu = (median(run[key] for run in runs["source"]) for key in ("seconds", "cpu"))
    heading = f"remix of a {seconds} s 1280x720 clip ({repeat} runs each, medians)"
    print(f"\n{heading}: source {base:.2f} s ({base_cpu:.2f} s CPU)")
    for name, change in remixes.items():
        wall, cpu = (median(run[key] for run in runs[name]) for key in ("seconds", "cpu"))
        kept = "copied" if all(run["sound_kept"] for run in runs[name]) else "made"
        goal = f" ({'ok' if wall <= base else 'MISSED'}: goal <= 1)" if name == "85 mm" else ""
        print(
            f"  {change!r}: {wall:.2f} s ({cpu:.2f} s CPU), soundtrack {kept}, remix / source {wall / base:.2f} "
            f"({cpu / base_cpu:.2f} in CPU){goal}"
        )


if __name__ == "__main__":
    main()
