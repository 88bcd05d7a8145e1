"""The web studio at `/`, driven in headless Chromium against the real server: lint, generate, play, refuse, key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from server_harness import ServerThread
from server_models import SMALL_MODEL, SMALL_SIZE, served_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
JOB_TIMEOUT_MS = 60_000  # a bound for a stuck job, not a speed expectation
VAGUE_PROMPT = "A beautiful city street at night, cinematic."
CLEAR_PROMPT = (
    "Wide shot, eye level, slow dolly left. Wet asphalt, a zebra crosswalk, neon signs in magenta and cyan "
    "reflecting in puddles. A courier in a yellow rain shell brakes at the line. Sound: rain on awnings."
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the studio tests drive the system Chromium. Install it with "
            "`apt-get install chromium` (.ci/run does this on a fresh machine)."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _root(server: ServerThread) -> str:
    return server.url.removesuffix("/v1")


def _choose_small_clip(page: Page, size: str) -> None:
    expect(page.locator(f'#model option[value="{SMALL_MODEL}"]')).to_have_count(1)
    page.select_option("#model", SMALL_MODEL)
    page.select_option("#size", "custom")
    page.fill("#custom-size", size)
    page.select_option("#seconds", "4")


def test_studio_lints_generates_plays_remixes_and_refuses(tmp_path: Path, browser: Browser) -> None:
    with ServerThread(served_settings(tmp_path / "data")) as server:
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.goto(f"{_root(server)}/#clips")
        _choose_small_clip(page, SMALL_SIZE)

        # 1. lint as you type: the vague word (a rule in preview, switched on in the bar) is named, with its
        # rule's name and help; switched off, the finding goes
        page.check("#lint-preview")
        page.locator("#prompt").press_sequentially(VAGUE_PROMPT)
        vague = page.locator('.finding[data-code="PR001"]').first
        expect(vague).to_contain_text("vague-language")
        expect(vague.locator(".finding-message")).to_contain_text("'beautiful' is vague")
        expect(vague.locator(".finding-help")).to_contain_text("show it instead")
        page.uncheck("#lint-preview")
        expect(page.locator('.finding[data-code="PR001"]')).to_have_count(0)
        expect(page.locator("#findings .finding").first).to_be_visible()  # the other findings are still there

        # 2. generate: the card follows the events stream to completed, with a full progress bar
        page.fill("#prompt", CLEAR_PROMPT)
        page.click("#generate")
        card = page.locator(".video").first
        expect(card.locator(".status")).to_have_text("completed", timeout=JOB_TIMEOUT_MS)
        expect(card.locator(".progress")).to_have_attribute("aria-valuenow", "100")
        video_id = card.get_attribute("data-id")
        assert video_id is not None and video_id.startswith("video_")

        # 3. the <video> plays the clip from /content, with the thumbnail as poster
        page.wait_for_function("() => document.querySelector('.video video').readyState >= 1", timeout=20_000)
        duration = page.evaluate("document.querySelector('.video video').duration")
        assert duration == pytest.approx(4.0, abs=0.25)
        player = card.locator("video")
        assert player.get_attribute("poster") == f"/v1/videos/{video_id}/content?variant=thumbnail"
        for variant in ("video", "thumbnail", "spritesheet"):
            link = card.locator(f'.downloads a[data-variant="{variant}"]')
            response = httpx.get(f"{_root(server)}{link.get_attribute('href')}")
            assert response.status_code == 200 and response.content

        # 4. the linter flags an odd size as it is typed; the server refuses it with its own message, inline
        page.fill("#custom-size", "257x144")
        expect(page.locator('.finding[data-code="API002"]')).to_contain_text("'257x144' is not supported")
        page.click("#generate")
        expect(page.locator("#create-error")).to_contain_text("Invalid value: '257x144' is not supported by model")
        assert page.locator(".video").count() == 1

        # 5. remix the finished clip; the new card names its source and finishes too
        card.locator(".remix input").fill("Same shot, at dusk.")
        card.locator(".remix button").click()
        remixed = page.locator(".video").first
        expect(remixed.locator(".lineage")).to_have_text(f"remix of {video_id}")
        expect(remixed.locator(".status")).to_have_text("completed", timeout=JOB_TIMEOUT_MS)
        page.screenshot(path=str(tmp_path / "studio.png"), full_page=True)

        # 6. delete (two clicks): the card goes, and so does the video on the server
        remixed_id = remixed.get_attribute("data-id")
        remixed.locator(".delete").click()
        remixed.locator(".delete").click()
        expect(page.locator(".video")).to_have_count(1)
        assert httpx.get(f"{server.url}/videos/{remixed_id}").status_code == 404
        assert (tmp_path / "studio.png").read_bytes().startswith(b"\x89PNG")
        page.close()


def test_studio_asks_for_a_key_and_plays_with_it(tmp_path: Path, browser: Browser) -> None:
    key = "sk-studio-key-1"
    with ServerThread(served_settings(tmp_path / "data", api_keys=[key])) as server:
        root = _root(server)
        # the page and its files need no key; the API does; the page is no part of the OpenAPI document
        for path in ("/", "/studio/studio.js", "/studio/run.js", "/studio/studio.css", "/studio/contract.json"):
            assert httpx.get(f"{root}{path}").status_code == 200, path
        assert httpx.get(f"{server.url}/models").status_code == 401
        paths = httpx.get(f"{root}/openapi.json").json()["paths"]
        assert not any(
            path == "/" or (path.startswith("/studio") and not path.startswith("/studio/v1/")) for path in paths
        )

        auth = {"Authorization": f"Bearer {key}"}
        created = httpx.post(
            f"{server.url}/videos",
            data={"prompt": CLEAR_PROMPT, "model": SMALL_MODEL, "size": SMALL_SIZE, "seconds": "4"},
            headers=auth,
        ).json()

        page = browser.new_page(viewport={"width": 1280, "height": 820})
        page.goto(f"{root}/#clips")
        expect(page.locator("#key-panel")).to_be_visible()
        page.fill("#key-input", "sk-wrong-key-9")
        page.click("#key-panel button")
        expect(page.locator("#key-error")).to_contain_text("Incorrect API key provided")
        page.fill("#key-input", key)
        page.click("#key-panel button")
        expect(page.locator("#studio")).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('cinebrief.apiKey')") == key

        # with a key, the SSE stream and the media are fetched with the Authorization header
        card = page.locator(f'.video[data-id="{created["id"]}"]')
        expect(card.locator(".status")).to_have_text("completed", timeout=JOB_TIMEOUT_MS)
        page.wait_for_function("() => document.querySelector('.video video').readyState >= 1", timeout=20_000)
        assert page.evaluate("document.querySelector('.video video').src").startswith("blob:")
        assert page.evaluate("document.querySelector('.video video').duration") == pytest.approx(4.0, abs=0.25)

        # the brief view calls /studio/v1 with the same key: a finding comes back for a vague brief
        page.goto(f"{root}/#brief")
        page.check("#lint-preview")
        page.fill("#brief-text", "shots:\n  - id: a\n    scene: A beautiful street.\n")
        expect(page.locator('#brief-findings .finding[data-code="PR001"]')).to_have_count(1)
        assert httpx.get(f"{root}/studio/v1/briefs").status_code == 401
        page.close()


def test_studio_serves_only_its_own_files(tmp_path: Path) -> None:
    with ServerThread(served_settings(tmp_path / "data")) as server:
        root = _root(server)
        page = httpx.get(f"{root}/")
        assert page.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        missing = httpx.get(f"{root}/studio/..%2Fstudio.py")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        assert httpx.get(f"{root}/studio/contract.json").json()["models"]["sora-2"]["seconds"] == ["4", "8", "12"]
