"""Real-browser tests: Debian's Chromium driven by Playwright against ``live_server``.

Playwright's sync API runs an event loop in this thread, which makes Django's
ORM refuse to run ("async unsafe"); the tests only touch the database between
browser calls, never concurrently, so the check is switched off here.

Each test gets ``open_as(user)``: a fresh browser context per person, signed
in through the real login form, recording every dialog, console error, page
error and CSP violation. When a test fails, a screenshot of every page it
opened is written to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page

from accounts.models import User
from accounts.tests.factories import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000

# Records CSP violations in the page (an injected inline script or handler that the
# policy blocked shows up here even though it never ran).
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(
    e.violatedDirective + " " + (e.blockedURI || "") + " " + (e.sample || ""));
});
"""


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """Keep each phase's report on the item (``item.rep_call.failed`` in fixtures)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright's launch options: Debian's Chromium, headless, quiet."""
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    """E-mail rows stay pending instead of going to the shared Redis broker."""
    monkeypatch.setattr("notifications.tasks.enqueue", lambda ids: None)


@dataclass
class Session:
    """One person's browser context and what their pages did."""

    user: User | None
    context: BrowserContext
    page: Page
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Page:
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return self.page

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []"))

    def problems(self) -> list[str]:
        """Everything that must never happen on a page: dialogs, errors, CSP reports."""
        return (
            [f"dialog: {d}" for d in self.dialogs]
            + [f"console: {c}" for c in self.console_errors]
            + [f"pageerror: {p}" for p in self.page_errors]
            + [f"csp: {v}" for v in self.csp_violations()]
        )


def _dismiss(session: Session) -> Callable[[Dialog], None]:
    def handle(dialog: Dialog) -> None:
        session.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    return handle


def login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form (django-axes sits in front of the password check)."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def open_as(
    browser: Browser, live_server: Any, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Session]]:
    """``open_as(user)``: a new browser context for ``user``, signed in."""
    sessions: list[Session] = []

    def open_(user: User | None, *, locale: str = "en-US") -> Session:
        """``None`` opens an anonymous context (no login)."""
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            timezone_id="Asia/Shanghai",
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(_CSP_LISTENER)
        page = context.new_page()
        session = Session(user=user, context=context, page=page)
        page.on("dialog", _dismiss(session))
        page.on(
            "console",
            lambda msg: session.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: session.page_errors.append(str(exc)))
        sessions.append(session)
        if user is not None:
            login(page, user.username)
        return session

    yield open_

    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        for index, session in enumerate(sessions):
            who = session.user.username if session.user else "anonymous"
            try:
                session.page.screenshot(
                    path=str(ARTIFACTS / f"{stem}-{index}-{who}.png"), full_page=True
                )
            except Exception as exc:  # noqa: BLE001 - a screenshot must never hide the failure
                print(f"screenshot of {who} failed: {exc}")
    for session in sessions:
        session.context.close()
