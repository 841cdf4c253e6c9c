"""End to end: a real `alliance serve` process over a folder ingested by the real CLI."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import write_docs
from tests.e2e.server import alliance, cli_env, running_server

pytestmark = pytest.mark.e2e


_STATE: dict = {}


def server_root() -> Path:
    return _STATE["root"]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:  # noqa: ANN001
    root = tmp_path_factory.mktemp("e2e")
    env = cli_env(root / "data", ALLY_CURATOR_KEYS="e2e-curator", ALLY_RATE_LIMIT_PER_MINUTE="0")
    corpus = write_docs(root / "corpus")
    ingested = alliance("ingest", str(corpus), "--prune", env=env)
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stdout.strip().splitlines()[-1] == "added=3 updated=0 unchanged=0 removed=0 failed=0"
    with running_server(env, corpus) as base:
        _STATE.update(env=env, root=root)
        yield base


def test_health_and_ui_answer(server: str) -> None:
    assert httpx.get(f"{server}/health").json()["status"] == "ok"
    page = httpx.get(f"{server}/", timeout=30)
    assert page.status_code == 200
    assert "gradio" in page.text.lower()


def test_ask_returns_cited_answer_naming_the_right_file(server: str) -> None:
    body = httpx.post(
        f"{server}/v1/ask", json={"question": "How often should we run a joint health check?"}, timeout=60
    ).json()
    assert body["answer"].strip()
    assert not body["abstained"]
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])}
    assert cited == {c["index"] for c in body["citations"]}
    assert body["citations"][0]["source"] == "articles/health.md"
    assert body["citations"][0]["title"] == "Running a Partner Health Check"


def test_openai_client_gets_cited_answers(server: str) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{server}/v1", api_key="unused", max_retries=0)
    question = [{"role": "user", "content": "What belongs in an autumn reset?"}]
    completion = client.chat.completions.create(model="alliance-assistant", messages=question)
    content = completion.choices[0].message.content
    assert "Sources:" in content and "[1]" in content
    extra = completion.model_extra or {}
    assert extra["citations"][0]["doc_id"] == "t-reset"

    pieces = []
    stream = client.chat.completions.create(model="alliance-assistant", messages=question, stream=True)
    final_extra = {}
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if chunk.choices and chunk.choices[0].finish_reason == "stop":
            final_extra = chunk.model_extra or {}
    streamed = "".join(pieces)
    assert len(pieces) > 2
    assert streamed.strip() == content.strip()
    assert final_extra["citations"][0]["doc_id"] == "t-reset"


def test_stream_ends_with_done(server: str) -> None:
    with httpx.stream(
        "POST",
        f"{server}/v1/chat/completions",
        json={"model": "alliance-assistant", "stream": True, "messages": [{"role": "user", "content": "reset steps?"}]},
        timeout=60,
    ) as response:
        lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"


def test_unknown_model_is_404(server: str) -> None:
    response = httpx.post(
        f"{server}/v1/chat/completions", json={"model": "gpt-x", "messages": [{"role": "user", "content": "hi"}]}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_cli_ask_before_ingest_says_how_to_fill_it(tmp_path: Path) -> None:
    result = alliance("ask", "how do I prioritize?", env=cli_env(tmp_path / "empty"))
    assert result.returncode == 1
    assert "empty" in result.stderr and "alliance ingest" in result.stderr


def test_cli_ask_json_matches_the_api_shape(server: str, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data")
    assert alliance("ingest", str(write_docs(tmp_path / "c")), env=env).returncode == 0
    result = alliance("ask", "what is the priority of the week?", "--json", env=env)
    import json

    body = json.loads(result.stdout)
    assert set(body) >= {"answer", "citations", "abstained"}
    assert body["citations"][0]["source"] == "notes/priorities.txt"


def test_cli_writes_while_serving_are_seen_by_the_server(server: str) -> None:
    env, root = _STATE["env"], server_root()
    extra = root / "extra"
    extra.mkdir(exist_ok=True)
    (extra / "incentives.txt").write_text(
        "Channel Incentive Tiers\n\nDeal registration gives the partner who finds a customer a protected discount "
        "for ninety days. Partner tiers reward certified staff and yearly sales volume.\n"
    )
    question = {"question": "How does deal registration protect a channel partner?"}
    assert alliance("ingest", str(extra), env=env).returncode == 0
    body = httpx.post(f"{server}/v1/ask", json=question, timeout=60).json()
    assert body["citations"] and body["citations"][0]["doc_id"] == "incentives"
    assert alliance("remove", "incentives", env=env).returncode == 0
    after = httpx.post(f"{server}/v1/ask", json=question, timeout=60).json()
    assert all(c["doc_id"] != "incentives" for c in after["citations"])
    hits = httpx.get(f"{server}/v1/search", params={"q": "deal registration protected discount"}).json()["results"]
    assert all(h["doc_id"] != "incentives" for h in hits)


def test_keys_never_reach_the_log(server: str) -> None:
    httpx.post(
        f"{server}/v1/documents",
        headers={"Authorization": "Bearer e2e-curator"},
        files={"files": ("k.md", b"# K\n\nKey handling note for alliance curators.")},
    )
    httpx.get(f"{server}/v1/documents", headers={"Authorization": "Bearer wrong-key-value"})
    log = "\n".join(p.read_text() for p in server_root().glob("server-*.log"))
    assert "e2e-curator" not in log and "wrong-key-value" not in log
