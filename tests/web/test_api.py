"""The JSON API against a real store: answers, search, documents, errors and keys."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.web.conftest import make_client


def markers(answer: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", answer)}


def test_ask_returns_an_answer_whose_markers_match_its_citations(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "How do I run a health check with my partner?"}).json()
    assert not body["abstained"]
    assert body["answer"]
    assert markers(body["answer"]) == {c["index"] for c in body["citations"]}
    assert body["citations"][0]["source"] == "articles/health.md"
    assert all(c["snippet"] in c["passage"] or c["snippet"] for c in body["citations"])


def test_every_sentence_of_an_answer_carries_a_marker(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "what should an autumn reset include?"}).json()
    sentences = [s for s in re.split(r"(?<=\])\s+", body["answer"]) if s]
    assert len(sentences) >= 2
    assert all(re.search(r"\[\d+\]$", s) for s in sentences)


def test_out_of_scope_question_is_declined_without_citations(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "What is a good recipe for lemon cake?"}).json()
    assert body["abstained"] is True
    assert body["citations"] == []
    assert "alliance" in body["answer"].lower()


def test_empty_question_is_422_with_a_message(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "   "})
    assert response.status_code == 422
    assert "empty" in response.json()["error"]["message"]


def test_too_long_question_is_422(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "partner " * 400})
    assert response.status_code == 422
    assert "limit" in response.json()["error"]["message"]


def test_malformed_body_is_422_json_error(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"history": []})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert "question" in response.json()["error"]["message"]


def test_filters_restrict_the_sources(client: TestClient) -> None:
    body = client.post(
        "/v1/ask",
        json={"question": "what are the steps of an autumn portfolio reset?", "filters": {"doc_type": ["playbook"]}},
    ).json()
    assert body["citations"]
    assert {c["doc_type"] for c in body["citations"]} == {"playbook"}


def test_follow_up_uses_the_history(client: TestClient) -> None:
    history = [
        {"role": "user", "content": "How do we run the autumn reset of the portfolio?"},
        {"role": "assistant", "content": "Audit the portfolio in September. [1]"},
    ]
    body = client.post("/v1/ask", json={"question": "who owns that?", "history": history}).json()
    assert "autumn" in body["standalone_question"]
    assert body["citations"][0]["doc_id"] == "t-reset"


def test_search_ranks_passages(client: TestClient) -> None:
    body = client.get("/v1/search", params={"q": "risk against value grid", "k": 2}).json()
    assert body["results"][0]["doc_id"] == "notes/priorities"
    assert [r["rank"] for r in body["results"]] == [1, 2]


def test_documents_are_listed_with_counts(client: TestClient) -> None:
    body = client.get("/v1/documents").json()
    assert body["count"] == 3
    titles = {d["title"] for d in body["documents"]}
    assert "Deciding Which Alliances Come First" in titles
    assert all(d["chunks"] >= 1 and d["ingested_at"] for d in body["documents"])


def test_writes_need_a_curator_key(client: TestClient) -> None:
    files = {"files": ("x.md", b"# X\n\nSome text about alliances and partners.", "text/markdown")}
    assert client.post("/v1/documents", files=files).status_code == 401
    wrong = client.post("/v1/documents", files=files, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert client.delete("/v1/documents/t-reset").status_code == 401


def test_upload_then_ask_then_delete(client: TestClient, curator: dict[str, str]) -> None:
    text = (
        b"# Partner Onboarding\n\nA new channel partner needs a ninety day onboarding plan with enablement "
        b"sessions, a named partner manager and a first joint customer target.\n"
    )
    response = client.post(
        "/v1/documents",
        headers=curator,
        files=[("files", ("onboarding.md", text, "text/markdown")), ("files", ("bad.exe", b"MZ", "x/y"))],
    )
    assert response.status_code == 200
    results = {r["source"]: r for r in response.json()["results"]}
    assert results["onboarding.md"]["status"] == "added"
    assert results["bad.exe"]["status"] == "failed" and "unsupported" in results["bad.exe"]["reason"]
    answer = client.post("/v1/ask", json={"question": "how long should partner onboarding take?"}).json()
    assert any(c["source"] == "onboarding.md" for c in answer["citations"])
    assert client.delete("/v1/documents/onboarding", headers=curator).json()["chunks_removed"] >= 1
    again = client.post("/v1/ask", json={"question": "how long should partner onboarding take?"}).json()
    assert all(c["source"] != "onboarding.md" for c in again["citations"])
    assert client.delete("/v1/documents/onboarding", headers=curator).status_code == 404


def test_upload_of_only_unsupported_files_is_415(client: TestClient, curator: dict[str, str]) -> None:
    response = client.post("/v1/documents", headers=curator, files={"files": ("a.exe", b"MZ", "x/y")})
    assert response.status_code == 415


def test_upload_over_the_size_limit_is_413(tmp_path, embedder) -> None:  # noqa: ANN001
    with make_client(tmp_path, embedder, max_file_bytes=100) as small:
        response = small.post(
            "/v1/documents",
            headers={"Authorization": "Bearer curator-test-key-123"},
            files={"files": ("big.md", b"# Big\n\n" + b"alliance " * 50, "text/markdown")},
        )
    assert response.status_code == 413


def test_reader_keys_guard_reads_when_set(tmp_path, embedder) -> None:  # noqa: ANN001
    with make_client(tmp_path, embedder, api_keys="reader-1") as guarded:
        assert guarded.get("/v1/documents").status_code == 401
        assert guarded.get("/v1/documents", headers={"Authorization": "Bearer bad"}).status_code == 403
        assert guarded.get("/v1/documents", headers={"Authorization": "Bearer reader-1"}).status_code == 200
        assert guarded.get("/health").status_code == 200


def test_rate_limit_answers_429_with_retry_after(tmp_path, embedder) -> None:  # noqa: ANN001
    with make_client(tmp_path, embedder, rate_limit_per_minute=3) as limited:
        codes = [limited.get("/v1/documents").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        last = limited.get("/v1/documents")
        assert int(last.headers["Retry-After"]) >= 1
        assert last.json()["error"]["code"] == "rate_limited"


def test_unknown_route_is_json_404(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_readiness_reports_model_store_and_count(client: TestClient) -> None:
    body = client.get("/ready").json()
    assert body["documents"] >= 3 and body["embedding_model"] and body["store"].startswith("chroma:")


def test_empty_knowledge_base_is_503_with_how_to_fill_it(tmp_path, embedder) -> None:  # noqa: ANN001
    from assistant.settings import Settings
    from web.app import create_app
    from web.services import build_services

    settings = Settings(data_dir=tmp_path / "empty")
    services = build_services(settings)
    services.assistant.embedder = embedder
    with TestClient(create_app(settings, services=services, ui=False)) as empty:
        response = empty.post("/v1/ask", json={"question": "how do I prioritize?"})
    assert response.status_code == 503
    assert "alliance ingest" in response.json()["error"]["message"]


def test_feedback_is_stored_and_exported_for_curators(client: TestClient, curator: dict[str, str]) -> None:
    client.post("/v1/ask", json={"question": "Which football team won the league?"})
    given = client.post(
        "/v1/feedback", json={"rating": "down", "question": "q?", "answer": "a", "comment": "missing detail"}
    )
    assert given.status_code == 201
    assert client.get("/v1/feedback").status_code == 401
    items = client.get("/v1/feedback", headers=curator).json()["items"]
    kinds = {i["kind"] for i in items}
    assert {"down", "declined"} <= kinds
    assert any(i["comment"] == "missing detail" for i in items)


def test_cors_is_off_by_default_and_configurable(tmp_path, embedder, client: TestClient) -> None:  # noqa: ANN001
    preflight = {"Origin": "https://portal.example", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in client.options("/v1/ask", headers=preflight).headers
    with make_client(tmp_path, embedder, cors_origins="https://portal.example") as open_client:
        response = open_client.options("/v1/ask", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://portal.example"


def test_openapi_documents_every_field(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for name in ("AskRequest", "AskResponse", "CitationOut", "DocumentOut", "UploadResponse", "ChatResponse"):
        properties = schema["components"]["schemas"][name]["properties"]
        undocumented = [field for field, spec in properties.items() if not spec.get("description")]
        assert not undocumented, (name, undocumented)


def test_key_comparison_checks_every_key(monkeypatch) -> None:  # noqa: ANN001
    import hmac

    from web.security import KeyRing

    ring = KeyRing.from_settings(Settings(curator_keys="k1,k2,k3"))
    calls: list[int] = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    assert ring.is_curator("k1")
    assert len(calls) == 3  # no early exit on the first match, so timing does not reveal which key matched
    calls.clear()
    assert not ring.is_curator("nope")
    assert len(calls) == 3


def test_curator_key_file_is_private(tmp_path) -> None:  # noqa: ANN001
    from web.security import KeyRing, ensure_curator_key_file

    settings = Settings(data_dir=tmp_path / "d")
    path = ensure_curator_key_file(settings)
    assert path is not None and path.stat().st_mode & 0o777 == 0o600
    assert ensure_curator_key_file(settings) is None  # never overwritten
    assert KeyRing.from_settings(settings).is_curator(path.read_text().strip())


def test_invalid_json_is_400(client: TestClient) -> None:
    response = client.post("/v1/ask", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "the request body is not valid JSON"


def test_unexpected_failures_are_500_without_a_trace(tmp_path, embedder) -> None:  # noqa: ANN001
    with make_client(tmp_path, embedder, raise_errors=False) as broken:

        def explode(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            raise RuntimeError("secret internal detail at /srv/app.py line 12")

        broken.app.state.services.assistant.ask = explode
        response = broken.post("/v1/ask", json={"question": "how do I prioritize?"})
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "the server could not complete the request"}
    }
    assert "secret" not in response.text and "Traceback" not in response.text


def test_declined_chat_questions_reach_the_feedback_export(client: TestClient, curator: dict[str, str]) -> None:
    for stream in (False, True):
        question = f"What is the best lasagne recipe? (stream={stream})"
        body = {"model": "alliance-assistant", "stream": stream, "messages": [{"role": "user", "content": question}]}
        assert client.post("/v1/chat/completions", json=body).status_code == 200
    declined = {i["question"] for i in client.get("/v1/feedback?kind=declined", headers=curator).json()["items"]}
    assert {
        "What is the best lasagne recipe? (stream=False)",
        "What is the best lasagne recipe? (stream=True)",
    } <= declined
