"""Screenshots of the chat UI for the docs: `python -m bench.screenshot`.

Starts `alliance serve` on a free loopback port over a temp data dir with the shipped corpus/ ingested by the CLI,
asks a question in a real headless Chromium, waits for the streamed answer, opens its first source and writes
docs/screenshot-chat.png (1280x900) and docs/screenshot-phone.png (390x844).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, quiet_environment
from tests.e2e import browser as ui
from tests.e2e.server import alliance, cli_env, running_server

QUESTION = "How do I run a health check with a partner?"


_CHAT_SCROLL = "() => document.querySelector('#chat .bubble-wrap')?.scrollTop ?? 0"


def _frame_answer(page, answer) -> None:  # noqa: ANN001 - playwright Page and Locator
    """Scroll the chat so the question and its answer start at its top. The chat autoscrolls to the bottom a
    moment after a source opens, and only a user's own scrolling stops that: wait for it to settle, then wheel."""
    previous = None
    for _ in range(20):  # at most ~5 s; there is no event for "autoscroll finished"
        now = page.evaluate(_CHAT_SCROLL)
        if now == previous:
            break
        previous = now
        page.wait_for_timeout(250)
    offset = answer.evaluate(
        """el => {
            const box = document.querySelector('#chat .bubble-wrap');
            let row = el.closest('.message-row') || el;
            let asked = row.previousElementSibling;  // the question (its copy buttons sit in between)
            while (asked && !asked.classList.contains('message-row')) asked = asked.previousElementSibling;
            if (asked && asked.classList.contains('user-row')) row = asked;
            return box ? row.getBoundingClientRect().top - box.getBoundingClientRect().top - 8 : 0;
        }"""
    )
    page.evaluate("() => window.scrollTo(0, 0)")
    if abs(offset) > 1:
        chat = page.locator("#chat .bubble-wrap").bounding_box()
        if chat:
            page.mouse.move(chat["x"] + chat["width"] / 2, chat["y"] + chat["height"] / 2)
            page.mouse.wheel(0, offset)
            page.wait_for_timeout(400)
    page.mouse.move(0, 0)  # no hover effects in the picture


def shoot(base: str, out: Path, question: str) -> list[Path]:
    written = []
    with ui.launch_browser() as browser:
        for name, viewport in (("screenshot-chat.png", ui.DESKTOP), ("screenshot-phone.png", ui.PHONE)):
            with ui.new_page(browser, base, viewport=viewport) as page:
                answer = ui.ask(page, question)
                if answer.locator("details.source").count():
                    ui.expand_source(answer, 1)
                _frame_answer(page, answer)
                metrics = ui.no_horizontal_scroll(page)
                if not metrics["ok"]:
                    print(f"warning: {name}: page scrolls sideways {metrics}", file=sys.stderr)
                path = out / name
                page.screenshot(path=str(path))
                written.append(path)
                print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ({viewport})")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="Folder for the PNGs (default docs/).")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="Corpus to ingest (default corpus/).")
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args(argv)
    quiet_environment()
    reason = ui.missing_browser()
    if reason:
        print(f"error: cannot take screenshots: {reason}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ally-shot-") as tmp:
        env = cli_env(Path(tmp) / "data", ALLY_RATE_LIMIT_PER_MINUTE="0")
        ingested = alliance("ingest", str(args.corpus.resolve()), env=env, timeout=900)
        if ingested.returncode != 0:
            print(f"error: ingest failed: {ingested.stderr.strip()[-2000:]}", file=sys.stderr)
            return 1
        print(ingested.stdout.strip().splitlines()[-1])
        with running_server(env, args.corpus.resolve()) as base:
            shoot(base, args.out, args.question)
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
