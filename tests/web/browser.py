"""A real browser for the UI tests: Debian's Chromium, headless, driven by Playwright.

Every page a test opens is watched: a console error, a failed page load or a request to
anywhere but 127.0.0.1 fails the test; each page is saved as a screenshot under
``ACCORD_SCREENSHOTS`` (default ``build/screenshots``) as a test artefact.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.live import missing

CHROMIUM = Path("/usr/bin/chromium")
# The flags a closed network needs: no background calls home, no QUIC, no sandbox (root).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("ACCORD_SCREENSHOTS", "build/screenshots"))

if not CHROMIUM.exists():  # .ci/run installs it; say so plainly where it is missing
    missing("UI tests", "no /usr/bin/chromium: install Debian's chromium package (.ci/run does)")

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402


@dataclass
class Watch:
    """What the browser did that a test must not allow."""

    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert self.foreign_requests == [], f"requests left 127.0.0.1: {self.foreign_requests}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def session(browser: Browser, base: str, user: str, password: str) -> Iterator[tuple[Page, Watch]]:
    """A signed-in browser context for ``user``, watched."""
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch()
    page.on(
        "console",
        lambda message: (
            watch.console_errors.append(f"{page.url}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: watch.console_errors.append(f"{page.url}: {error}"))

    def leaving(request: object) -> None:
        url = str(getattr(request, "url", ""))
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob", "about"):
            return
        if urlsplit(url).hostname != "127.0.0.1":
            watch.foreign_requests.append(url)

    page.on("request", leaving)
    page.goto("/signin")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    try:
        yield page, watch
    finally:
        context.close()


def shoot(page: Page, name: str) -> Path:
    """Save the page as ``name``.png among the test artefacts."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower()).strip('-')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
