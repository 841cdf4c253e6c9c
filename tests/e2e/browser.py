"""Drive the Gradio UI in a real headless Chromium (Playwright's sync API, Debian's chromium binary).

Shared by tests/e2e/test_browser.py and bench/screenshot.py. Selectors rely on the elem_ids set in web/ui.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # playwright is optional (the `browser` extra)
    from playwright.sync_api import Browser, Locator, Page

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

PAGE_TIMEOUT_MS = 60_000  # the first page load compiles nothing, but Gradio's bundle is large on a busy box
ANSWER_TIMEOUT_MS = 90_000  # the first answer warms the retriever
UPLOAD_TIMEOUT_MS = 120_000  # embedding an uploaded file

QUESTION = "#question textarea"
SEND = "#send"


def missing_browser() -> str | None:
    """Why a browser test cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[browser]')"
    if not chromium_path():
        return "no chromium executable on PATH (apt-get install chromium)"
    return None


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def skip_or_fail_without_browser() -> None:
    """Skip with a printed reason when there is no browser, but fail on CI (CI=true), where one must exist."""
    import pytest

    reason = missing_browser()
    if reason is None:
        return
    print(f"browser tests not run: {reason}")
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests need a browser on CI: {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def launch_browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def new_page(browser: Browser, base_url: str, viewport: dict[str, int] | None = None) -> Iterator[Page]:
    """A fresh context (own storage, own Gradio session) with the app loaded and the question box ready."""
    context = browser.new_context(viewport=viewport or DESKTOP)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]  # uncaught page exceptions, for assertions
    try:
        page.goto(base_url.rstrip("/") + "/", wait_until="domcontentloaded")
        page.locator(QUESTION).wait_for(state="visible")
        yield page
    finally:
        context.close()


def answers(page: Page) -> Locator:
    """The assistant's messages, oldest first."""
    return page.locator("#chat .message-row.bot-row")


def finished_answers(page: Page) -> Locator:
    """Assistant messages that are complete: the final event of a streamed answer ends in its sources block,
    a declined answer is wrapped in `.declined` and a failure in `.failed` (see web/ui.py)."""
    return page.locator("#chat .message-content:has(.sources, .declined, .failed)")


def ask(page: Page, question: str, timeout_ms: int = ANSWER_TIMEOUT_MS) -> Locator:
    """Type a question, send it, wait until its answer has finished streaming; return that answer's content."""
    before = finished_answers(page).count()
    page.locator(QUESTION).fill(question)
    page.locator(SEND).click()
    done = finished_answers(page).nth(before)
    done.wait_for(state="visible", timeout=timeout_ms)
    wait_idle(page, timeout_ms)
    return done


def wait_idle(page: Page, timeout_ms: int = ANSWER_TIMEOUT_MS) -> None:
    """Wait until no Gradio event is pending (status trackers hidden, chatbot not generating)."""
    page.wait_for_function(
        """() => !document.querySelector('#chat .pending, #chat .generating')
               && [...document.querySelectorAll('[data-testid="status-tracker"]')]
                    .every(el => el.classList.contains('hide') || !el.querySelector('.eta-bar, .progress-text'))""",
        timeout=timeout_ms,
    )


def declined(answer: Locator) -> bool:
    return answer.locator(".declined").count() > 0


def source(answer: Locator, index: int) -> Locator:
    return answer.locator(f"details.source-{index}")  # the chat's sanitizer drops data-* attributes


def expand_source(answer: Locator, index: int = 1) -> Locator:
    """Open the numbered source under an answer (a <details>); return it once its passage shows."""
    item = source(answer, index)
    item.locator("summary").click()
    item.locator(".passage").wait_for(state="visible")
    return item


def source_titles(answer: Locator) -> list[str]:
    return [t.strip() for t in answer.locator("details.source summary .title").all_inner_texts()]


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def unlock_curator(page: Page, key: str) -> str:
    """Open the curator tab, enter the key, press Unlock; return the status text once it shows."""
    open_tab(page, "Curator")
    field = page.locator("#curator-key input")
    field.wait_for(state="visible")
    field.fill(key)
    page.locator("#unlock").click()
    # The markdown itself, not the whole block: its status tracker shows a timer ("0.1s") while the event runs.
    status = page.locator("#curator-status [data-testid='markdown']")
    page.wait_for_function(
        """() => (document.querySelector("#curator-status [data-testid='markdown']")?.innerText || '').trim()""",
        timeout=PAGE_TIMEOUT_MS,
    )
    return status.inner_text().strip()


def no_horizontal_scroll(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => ({scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
                   ok: document.documentElement.scrollWidth <= window.innerWidth + 1})"""
    )
