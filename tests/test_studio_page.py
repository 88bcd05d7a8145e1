"""The studio's brief and run views, driven in headless Chromium against the real server: write a two-shot
brief, see a finding come and go at its line, edit a shot in the form, run it with two takes per shot, reload
mid-run, compare and pick takes, remix one change, watch the lineage grow, play the cut and parse its OTIO.

Screenshots of each view go to `$CINEBRIEF_SCREENSHOTS` when set (the README's come from there), else to the
test's temporary folder. The first load's size and time are printed, not asserted (see bench/ for timings).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import opentimelineio as otio
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from server_harness import ServerThread
from server_models import TWO_SHOT_BRIEF, served_settings
from test_studio import CHROMIUM, CHROMIUM_ARGS

RUN_TIMEOUT_MS = 90_000  # a bound for a stuck run, not a speed expectation
BRIEF = TWO_SHOT_BRIEF
VAGUE_LINE = 15  # "scene: The courier looks up..." made vague below


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the studio tests drive the system Chromium (apt-get install chromium).")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _shots_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CINEBRIEF_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _first_load(page: Page, url: str) -> None:
    """Print the bytes of the page's own files and the time until the editor can be typed into."""
    sizes: dict[str, int] = {}

    def record(response) -> None:  # type: ignore[no-untyped-def]
        if response.request.resource_type in ("document", "script", "stylesheet"):
            sizes[response.url] = len(response.body())

    page.on("response", record)
    started = time.perf_counter()
    page.goto(url)
    expect(page.locator("#brief-text")).to_be_editable()
    interactive_ms = (time.perf_counter() - started) * 1000
    page.remove_listener("response", record)
    dom_interactive = page.evaluate("performance.getEntriesByType('navigation')[0].domInteractive")
    print(
        f"\nstudio first load: {sum(sizes.values()) / 1024:.1f} KB in {len(sizes)} files (HTML, CSS, JS); "
        f"editor usable after {interactive_ms:.0f} ms (DOM interactive at {dom_interactive:.0f} ms)"
    )


def test_a_brief_becomes_a_cut(tmp_path: Path, browser: Browser) -> None:
    shots = _shots_folder(tmp_path)
    with ServerThread(served_settings(tmp_path / "data")) as server:
        root = server.url.removesuffix("/v1")
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        _first_load(page, f"{root}/")

        # 1. A two-shot brief with a vague word (vague-language is in preview: the bar's switch turns it on):
        # the finding appears at its line, and goes when it is fixed.
        page.check("#lint-preview")
        page.fill("#brief-name", "Night crossing")
        page.fill("#brief-text", BRIEF.replace("The courier looks up", "A beautiful courier looks up"))
        finding = page.locator(f'#brief-findings .finding[data-code="PR001"][data-line="{VAGUE_LINE}"]')
        expect(finding).to_contain_text("'beautiful' is vague")
        expect(page.locator(f'#gutter [data-line="{VAGUE_LINE}"].mark')).to_have_count(1)
        expect(page.locator("#prompt-preview")).not_to_be_empty()
        page.screenshot(path=str(shots / "brief-view.png"))
        page.fill("#brief-text", BRIEF)
        expect(page.locator('#brief-findings .finding[data-code="PR001"]')).to_have_count(0)
        expect(page.locator(f'#gutter [data-line="{VAGUE_LINE}"].mark')).to_have_count(0)
        expect(page.locator("#brief-summary")).to_have_text("Clean: no findings.")

        # 2. The form writes the same YAML (the comments stay); the prompt of the shot is shown beside it.
        page.select_option("#form-shot", "look")
        expect(page.locator("#form-lens")).to_have_value("85 mm")
        page.fill("#form-mood", "wary stillness")
        page.click("#form-apply")
        expect(page.locator("#brief-text")).to_have_value(BRIEF.rstrip("\n") + "\n    mood: wary stillness\n")
        expect(page.locator("#prompt-preview")).to_contain_text("Mood: wary stillness")
        page.select_option("#prompt-style", "light")
        expect(page.locator("#prompt-preview")).to_contain_text("Palette: magenta, cyan, sodium orange")

        # 3. Two takes per shot: the plan says four clips and an 8 s cut.
        page.fill("#run-variants", "2")
        expect(page.locator("#plan")).to_contain_text("Cut 8 s · 4 clips")
        page.screenshot(path=str(shots / "brief-view-plan.png"), full_page=True)

        # 4. Save and run; reload while it runs: the page follows the same run to the end.
        page.click("#start-run")
        expect(page).to_have_url(re.compile(r"#run=run_[0-9a-f]+$"))
        run_id = page.url.split("#run=")[1]
        expect(page.locator(".take-bar")).to_have_count(4)
        status_at_reload = httpx.get(f"{root}/studio/v1/runs/{run_id}").json()["status"]
        page.reload()
        assert status_at_reload == "running"
        expect(page.locator("#run-select")).to_have_value(run_id, timeout=20_000)  # a busy machine
        expect(page.locator("#run-status")).to_have_text("completed", timeout=RUN_TIMEOUT_MS)
        for bar in page.locator(".take-bar").all():
            expect(bar).to_have_attribute("aria-valuenow", "100")
        page.screenshot(path=str(shots / "run-view.png"))

        # 5. The takes of the first shot side by side, with their seeds, on one transport.
        takes = page.locator("#takes .take")
        expect(takes).to_have_count(2)
        expect(takes.nth(0)).to_contain_text("seed")
        page.wait_for_function(
            "() => [...document.querySelectorAll('#takes video')].every((v) => v.readyState >= 2)", timeout=20_000
        )
        page.click("#takes-play")
        page.wait_for_function("() => [...document.querySelectorAll('#takes video')].every((v) => !v.paused)")
        page.wait_for_timeout(400)
        times = page.evaluate("[...document.querySelectorAll('#takes video')].map((v) => v.currentTime)")
        assert times[0] > 0 and abs(times[0] - times[1]) < 0.3, times
        page.click("#takes-play")

        # 6. Pick take 2: the cut is made again with it.
        page.click('#takes .take[data-variant="2"] .pick')
        expect(page.locator('#takes .take[data-variant="2"]')).to_have_class("take picked", timeout=RUN_TIMEOUT_MS)
        expect(page.locator('#cut-timeline .cut-segment[data-shot="arrival"]')).to_contain_text(
            "take 2", timeout=RUN_TIMEOUT_MS
        )

        # 7. Remix take 2 with one change; a change asking for two things is flagged before sending.
        take_two = page.locator('#takes .take[data-variant="2"]').get_attribute("data-job")
        assert take_two
        page.select_option("#remix-source", take_two)
        page.fill("#remix-change", "make it night and add rain")
        expect(page.locator("#remix-check")).to_contain_text("remix-changes-more-than-one-thing")
        expect(page.locator("#remix-send")).to_be_disabled()
        page.fill("#remix-change", "same shot, at dusk")
        expect(page.locator("#remix-check")).to_have_text("One change: ready to send.")
        page.click("#remix-send")
        remix = page.locator(f'#lineage .lineage-node[data-id="{take_two}"] > ul > .lineage-node')
        expect(remix).to_have_count(1)
        expect(remix.locator(".edge")).to_have_text(
            "“same shot, at dusk” (changed lighting)"
        )  # the change, what it did
        expect(remix.locator(".node")).to_have_class("node completed", timeout=RUN_TIMEOUT_MS)
        expect(page.locator("#lineage .lineage-node")).to_have_count(3)
        remix.locator(".node").click()
        expect(page.locator("#node-caption")).to_contain_text("change: same shot, at dusk")

        # 8. The cut plays for the sum of its shots; its OTIO downloads and parses.
        page.wait_for_function("() => document.querySelector('#cut-player').readyState >= 1", timeout=20_000)
        assert page.evaluate("document.querySelector('#cut-player').duration") == pytest.approx(8.0, abs=0.1)
        expect(page.locator("#cut-timeline .cut-segment")).to_have_count(2)
        with page.expect_download() as download:
            page.click('#downloads a[data-file="timeline.otio"]')
        saved = tmp_path / "timeline.otio"
        download.value.save_as(saved)
        timeline = otio.adapters.read_from_file(str(saved))
        assert [clip.metadata["cinebrief"]["shot_id"] for clip in timeline.find_clips()] == ["arrival", "look"]
        assert timeline.duration().to_seconds() == 8.0
        page.screenshot(path=str(shots / "run-view-full.png"), full_page=True)

        # 9. Readable on a phone: nothing wider than the screen.
        page.set_viewport_size({"width": 390, "height": 844})
        for view in ("run", "brief"):
            page.goto(f"{root}/#{view}")
            page.wait_for_timeout(300)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, view
            page.screenshot(path=str(shots / f"{view}-view-phone.png"), full_page=True)
        page.close()
