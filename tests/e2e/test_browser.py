"""The Gradio UI in a real headless Chromium, against a real `alliance serve` over a corpus ingested by the CLI.

Without chromium or playwright these tests skip (with the reason printed), except on CI (CI=true), where they fail.
"""

from __future__ import annotations

import re
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import write_docs
from tests.e2e import browser as ui
from tests.e2e.server import alliance, cli_env, running_server

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CURATOR_KEY = "browser-curator-key"
HEALTH_QUESTION = "How often should we run a joint health check?"
HEALTH_TITLE = "Running a Partner Health Check"
ONBOARDING_TITLE = "Partner Onboarding in Ninety Days"
ONBOARDING_DOC = f"""\
    ---
    title: {ONBOARDING_TITLE}
    type: playbook
    topics: [governance]
    ---
    ## The ninety-day plan

    Partner onboarding in ninety days starts with a joint kickoff workshop in the first week.
    By day thirty every partner seller has finished the product certification.
    By day ninety the partners close their first joint deal and review the onboarding plan together.
    """


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ui.skip_or_fail_without_browser()  # before the server, so a machine without a browser skips fast
    root = tmp_path_factory.mktemp("browser")
    env = cli_env(root / "data", ALLY_CURATOR_KEYS=CURATOR_KEY, ALLY_RATE_LIMIT_PER_MINUTE="0")
    corpus = write_docs(root / "corpus")
    ingested = alliance("ingest", str(corpus), "--prune", env=env)
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stdout.strip().splitlines()[-1] == "added=3 updated=0 unchanged=0 removed=0 failed=0"
    with running_server(env, corpus) as base:
        yield base


@pytest.fixture(scope="module")
def chromium(server: str):  # noqa: ANN201 - playwright's Browser, imported lazily
    with ui.launch_browser() as browser:
        yield browser


@pytest.fixture
def page(chromium, server: str):  # noqa: ANN001, ANN201
    with ui.new_page(chromium, server) as p:
        yield p
        assert not p.errors, f"uncaught errors in the page: {p.errors}"


def test_answer_streams_with_markers_and_expandable_sources(page) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    answer = ui.ask(page, HEALTH_QUESTION)

    text = answer.locator(".md > p").first
    expect(text).to_contain_text("once a year")
    expect(text).to_contain_text("[1]")
    marker = answer.locator(".cite", has_text="[1]").first
    expect(marker).to_be_visible()

    expect(answer.locator(".sources")).to_be_visible()
    first = ui.source(answer, 1)
    expect(first).to_be_visible()
    expect(first.locator("summary")).to_contain_text("[1]")
    assert HEALTH_TITLE in ui.source_titles(answer)
    # Every marker in the text points at a listed source.
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", text.inner_text())}
    listed = {int(n) for n in re.findall(r"\[(\d+)\]", " ".join(answer.locator("summary .num").all_inner_texts()))}
    assert cited and cited <= listed

    passage = first.locator(".passage")
    expect(passage).to_be_hidden()  # collapsed until clicked
    ui.expand_source(answer, 1)
    expect(passage).to_be_visible()
    expect(passage).to_contain_text("strategic fit, operational fit and trust once a year")
    expect(first.locator(".source-path")).to_have_text("articles/health.md")
    # The document's text is shown as text: no raw markup leaks into the page.
    assert "<details" not in answer.inner_text() and "&lt;" not in answer.inner_text()


def test_thumbs_down_with_a_comment_is_stored(page, server: str) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    note = f"browser test {uuid.uuid4().hex[:8]}: too short"
    ui.ask(page, HEALTH_QUESTION)
    page.locator("#comment textarea").fill(note)
    page.locator("#rate-down").click()
    expect(page.locator("#feedback-status")).to_contain_text("feedback was saved")
    expect(page.locator("#comment textarea")).to_have_value("")

    response = httpx.get(
        f"{server}/v1/feedback", params={"kind": "down"}, headers={"Authorization": f"Bearer {CURATOR_KEY}"}
    )
    assert response.status_code == 200, response.text
    mine = [item for item in response.json()["items"] if item["comment"] == note]
    assert len(mine) == 1, response.json()
    assert mine[0]["kind"] == "down"
    assert mine[0]["question"] == HEALTH_QUESTION
    assert "[1]" in mine[0]["answer"] and "<" not in mine[0]["answer"]
    assert "t-health" in mine[0]["doc_ids"]


def test_curator_uploads_a_file_and_it_is_answerable(page, tmp_path: Path) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    upload = tmp_path / "onboarding-ninety-days.md"
    upload.write_text(textwrap.dedent(ONBOARDING_DOC))

    expect(page.locator("#upload-button")).to_be_hidden()
    assert ui.unlock_curator(page, CURATOR_KEY) == "Unlocked."
    expect(page.locator("#upload-button")).to_be_visible()
    expect(page.locator("#documents")).to_contain_text(HEALTH_TITLE)

    page.locator("#upload input[type=file]").set_input_files(str(upload))
    # The file reached the server once the component links to its stored copy.
    expect(page.locator(f"#upload a[href$='/{upload.name}']")).to_be_visible(timeout=ui.UPLOAD_TIMEOUT_MS)
    page.locator("#upload-button").click()
    row = page.locator("#upload-results tbody tr", has_text=upload.name)
    expect(row).to_contain_text("added", timeout=ui.UPLOAD_TIMEOUT_MS)
    expect(page.locator("#documents")).to_contain_text(ONBOARDING_TITLE)

    ui.open_tab(page, "Ask")
    answer = ui.ask(page, "How does partner onboarding in ninety days start?")
    assert ONBOARDING_TITLE in ui.source_titles(answer)
    expect(answer.locator(".md > p").first).to_contain_text("kickoff")


def test_wrong_curator_key_does_not_unlock(page) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    status = ui.unlock_curator(page, "not-the-curator-key")
    assert "not a curator key" in status
    expect(page.locator("#curator-panel")).to_be_hidden()
    expect(page.locator("#upload-button")).to_be_hidden()
    expect(page.locator("#upload")).to_be_hidden()


def test_follow_up_question_uses_the_conversation(page) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    # Alone, "Which month is that?" finds nothing; after a question about the audit it borrows that question's words.
    alone = ui.ask(page, "Which month is that?")
    assert ui.declined(alone), alone.inner_text()
    assert ui.source_titles(alone) == []
    page.locator("#clear").click()
    expect(ui.answers(page)).to_have_count(0)

    first = ui.ask(page, "When should the alliance manager audit the portfolio?")
    assert "Autumn Reset Playbook" in ui.source_titles(first)
    follow_up = ui.ask(page, "Which month is that?")
    assert not ui.declined(follow_up), follow_up.inner_text()
    assert "Autumn Reset Playbook" in ui.source_titles(follow_up)
    assert "September" in follow_up.inner_text()


def test_phone_width_has_no_horizontal_scroll(chromium, server: str) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    with ui.new_page(chromium, server, viewport=ui.PHONE) as phone:
        question = phone.locator(ui.QUESTION)
        expect(question).to_be_visible()
        assert ui.no_horizontal_scroll(phone)["ok"], ui.no_horizontal_scroll(phone)

        answer = ui.ask(phone, HEALTH_QUESTION)
        ui.expand_source(answer, 1)
        for element in (question, phone.locator(ui.SEND), answer):
            element.scroll_into_view_if_needed()
            expect(element).to_be_visible()
            box = element.bounding_box()
            assert box is not None and box["x"] >= -1 and box["x"] + box["width"] <= ui.PHONE["width"] + 1, box
        expect(answer).to_contain_text("[1]")
        metrics = ui.no_horizontal_scroll(phone)
        assert metrics["ok"], metrics
        assert not phone.errors, phone.errors


def test_markup_in_a_document_is_shown_as_text_not_run(page, server: str) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    doc = textwrap.dedent(
        """\
        ---
        title: Escalation Ladder <b>for</b> Partners
        type: article
        ---
        ## Ladder

        The zebra escalation ladder has three rungs <img src=x onerror="window.pwnedByDoc=1"> for every partner.
        """
    )
    added = httpx.post(
        f"{server}/v1/documents",
        files={"files": ("escalation.md", doc.encode(), "text/markdown")},
        headers={"Authorization": f"Bearer {CURATOR_KEY}"},
        timeout=120,
    )
    assert added.status_code == 200, added.text
    assert added.json()["results"][0]["status"] == "added"

    answer = ui.ask(page, "How many rungs does the zebra escalation ladder have?")
    expect(answer.locator(".md > p").first).to_contain_text('<img src=x onerror="window.pwnedByDoc=1">')
    assert "Escalation Ladder <b>for</b> Partners" in ui.source_titles(answer)
    assert answer.locator("img, b").count() == 0
    assert page.evaluate("() => window.pwnedByDoc") is None
