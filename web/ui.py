"""The Gradio chat and curator screens, mounted at `/`; they call the same services as the API."""

from __future__ import annotations

import html
import logging
from pathlib import Path

import gradio as gr

from assistant.followup import Turn
from assistant.passages import Answer, Filters
from assistant.service import Delta
from web.services import Services

log = logging.getLogger(__name__)

EXAMPLES = [
    "We have too many partnerships and a small team. How do I decide which alliances get my time?",
    "How do I run a health check with a partner, and what should it cover?",
    "When is a good moment to reset an alliance, and what should the reset include?",
    "Leadership started sending work to other partners without telling us. What now?",
]
DOC_TYPES = ["article", "roundtable", "playbook"]
TOPICS = [
    "priorities",
    "health-checks",
    "resets",
    "governance",
    "sponsorship",
    "metrics",
    "exits",
    "resourcing",
    "skills",
    "communication",
]
THEME_CSS = """
.gradio-container { max-width: 1100px !important; margin: 0 auto !important; }
#chat { min-height: 420px; }
.sources details { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 10px;
  margin: 6px 0; background: var(--background-fill-secondary); }
.sources summary { cursor: pointer; font-weight: 600; }
.sources .meta { color: var(--body-text-color-subdued); font-weight: 400; font-size: 0.9em; }
.sources blockquote { margin: 6px 0 0 0; font-size: 0.95em; }
@media (max-width: 640px) { #filters { display: none; } .gradio-container { padding: 4px !important; } }
"""


def render_sources(answer: Answer) -> str:
    if not answer.citations:
        return ""
    parts = ['<div class="sources"><p><strong>Sources</strong></p>']
    for c in answer.citations:
        p = c.passage
        meta = " · ".join(x for x in (p.doc_type, p.section, f"page {p.page}" if p.page else None) if x)
        parts.append(
            f'<details class="source" data-index="{c.index}"><summary>[{c.index}] {html.escape(p.title)} '
            f'<span class="meta">{html.escape(meta)}</span></summary>'
            f"<p><em>{html.escape(c.snippet)}</em></p><blockquote>{html.escape(p.text)}</blockquote>"
            f'<p class="meta">{html.escape(p.source)}</p></details>'
        )
    parts.append("</div>")
    return "\n".join(parts)


def _history(messages: list[dict]) -> list[Turn]:
    turns = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, str):
            turns.append(Turn(m["role"], content.split('\n\n<div class="sources">')[0]))
    return turns


def build_ui(services: Services) -> gr.Blocks:
    with gr.Blocks(title="Alliance Assistant") as ui:
        last = gr.State({})
        gr.Markdown(
            "## Alliance Assistant\nAsk about priorities, health checks and resets. "
            "Every sentence of an answer cites its source passage."
        )
        with gr.Tab("Ask", id="ask"):
            with gr.Row():
                with gr.Column(scale=4):
                    chat = gr.Chatbot(
                        elem_id="chat",
                        label="Conversation",
                        height=520,
                        buttons=["copy"],
                        feedback_options=("Like", "Dislike"),
                        sanitize_html=False,
                    )
                    with gr.Row():
                        box = gr.Textbox(
                            placeholder="Ask about priorities, health checks or resets…",
                            show_label=False,
                            scale=5,
                            elem_id="question",
                            autofocus=True,
                            max_lines=4,
                        )
                        send = gr.Button("Ask", variant="primary", scale=1, elem_id="send")
                    gr.Examples(EXAMPLES, inputs=box, label="Try")
                    with gr.Row():
                        comment = gr.Textbox(
                            placeholder="Optional comment on the last answer",
                            show_label=False,
                            scale=5,
                            elem_id="comment",
                        )
                        rate_up = gr.Button("👍", scale=0, min_width=60, elem_id="rate-up")
                        rate_down = gr.Button("👎", scale=0, min_width=60, elem_id="rate-down")
                    thanks = gr.Markdown(elem_id="feedback-status")
                with gr.Column(scale=1, elem_id="filters"):
                    types = gr.CheckboxGroup(DOC_TYPES, label="Document types", elem_id="filter-types")
                    topics = gr.Dropdown(TOPICS, multiselect=True, label="Topics", elem_id="filter-topics")
                    clear = gr.Button("New conversation", elem_id="clear")

        def respond(question: str, messages: list[dict], doc_types: list[str], topic_list: list[str]):
            question = (question or "").strip()
            messages = list(messages or [])
            if not question:
                yield messages, "", {}
                return
            history = _history(messages)
            messages += [{"role": "user", "content": question}, {"role": "assistant", "content": ""}]
            text = ""
            try:
                events = services.assistant.stream(
                    question, history, Filters(doc_types=doc_types or [], topics=topic_list or [])
                )
                for event in events:
                    if isinstance(event, Delta):
                        text += event.text
                        messages[-1] = {"role": "assistant", "content": text}
                        yield messages, "", {}
                    else:
                        services.record_decline(question, event)
                        messages[-1] = {
                            "role": "assistant",
                            "content": event.answer + ("\n\n" + render_sources(event) if event.citations else ""),
                        }
                        state = {
                            "question": question,
                            "answer": event.answer,
                            "doc_ids": [c.passage.doc_id for c in event.citations],
                        }
                        yield messages, "", state
            except Exception as exc:  # the user sees a message, never a trace
                log.exception("chat failed")
                messages[-1] = {"role": "assistant", "content": f"Sorry, that failed: {_friendly(exc)}"}
                yield messages, "", {}

        def rate(kind: str, state: dict, note: str):
            if not state.get("question"):
                return "Ask a question first.", note
            services.feedback.add(kind, state["question"], state["answer"], note, state.get("doc_ids"))
            return "Thanks, your feedback was saved.", ""

        def liked(state: dict, data: gr.LikeData):
            if state.get("question") and data.liked is not None:
                services.feedback.add(
                    "up" if data.liked else "down", state["question"], state["answer"], None, state.get("doc_ids")
                )

        inputs = [box, chat, types, topics]
        send.click(respond, inputs, [chat, box, last])
        box.submit(respond, inputs, [chat, box, last])
        rate_up.click(lambda s, n: rate("up", s, n), [last, comment], [thanks, comment])
        rate_down.click(lambda s, n: rate("down", s, n), [last, comment], [thanks, comment])
        chat.like(liked, [last], None)
        clear.click(lambda: ([], {}, ""), None, [chat, last, thanks])

        with gr.Tab("Curator", id="curator"):
            _curator_tab(services)
    return ui


def _friendly(exc: Exception) -> str:
    from assistant.errors import AssistantError

    return str(exc) if isinstance(exc, AssistantError) else "an internal error; please try again."


def _documents_table(services: Services) -> list[list]:
    return [
        [d.doc_id, d.title, d.doc_type, d.source, d.chunk_count, d.ingested_at]
        for d in services.assistant.kb.documents()
    ]


def _curator_tab(services: Services) -> None:
    unlocked = gr.State(False)
    with gr.Row():
        key = gr.Textbox(type="password", label="Curator key", scale=4, elem_id="curator-key")
        unlock = gr.Button("Unlock", scale=1, elem_id="unlock")
    status = gr.Markdown(elem_id="curator-status")
    with gr.Column(visible=False) as panel:
        files = gr.File(file_count="multiple", label="Upload documents", elem_id="upload")
        upload = gr.Button("Add to knowledge base", variant="primary", elem_id="upload-button")
        outcome = gr.Dataframe(
            headers=["file", "status", "doc_id", "chunks", "reason"],
            label="Upload results",
            elem_id="upload-results",
            interactive=False,
        )
        docs = gr.Dataframe(
            headers=["doc_id", "title", "type", "source", "chunks", "ingested"],
            label="Documents",
            elem_id="documents",
            interactive=False,
        )
        with gr.Row():
            doc_id = gr.Textbox(label="Document id to delete", scale=4, elem_id="delete-id")
            delete = gr.Button("Delete", variant="stop", scale=1, elem_id="delete")
        resync = gr.Button("Re-sync corpus/", elem_id="resync")
        resync_status = gr.Markdown(elem_id="resync-status")

    def do_unlock(value: str):
        if services.keys.is_curator((value or "").strip()):
            return True, "Unlocked.", gr.update(visible=True), _documents_table(services)
        return False, "That key is not a curator key.", gr.update(visible=False), []

    def guard(ok: bool) -> None:
        if not ok:
            raise gr.Error("Unlock the curator tab with a curator key first.")

    def do_upload(ok: bool, paths: list | None):
        guard(ok)
        if not paths:
            return [], _documents_table(services)
        received = []
        for item in paths:
            path = Path(item if isinstance(item, str) else item.name)
            received.append((path.name, path.read_bytes()[: services.settings.max_file_bytes + 1]))
        report = services.upload(received)
        rows = [[o.source, o.status, o.doc_id or "", o.chunks, o.reason or ""] for o in report.outcomes]
        return rows, _documents_table(services)

    def do_delete(ok: bool, target: str):
        guard(ok)
        target = (target or "").strip()
        try:
            removed = services.remove(target)
        except Exception as exc:
            raise gr.Error(_friendly(exc)) from None
        return f"Deleted {target} ({removed} chunks).", _documents_table(services), ""

    def do_resync(ok: bool, progress=gr.Progress()):  # noqa: B008 - Gradio injects progress this way
        guard(ok)
        if services.corpus_dir is None or not services.corpus_dir.is_dir():
            raise gr.Error("No corpus folder is configured for this server.")
        from ingest.sync import discover

        sources, folders = discover([services.corpus_dir])
        done = [0]

        def tick(_outcome) -> None:
            done[0] += 1
            progress(done[0] / max(len(sources), 1), desc=f"{done[0]}/{len(sources)} files")

        report = services.syncer.sync(sources, prune_folders=folders, progress=tick)
        return report.summary(), _documents_table(services)

    unlock.click(do_unlock, [key], [unlocked, status, panel, docs])
    key.submit(do_unlock, [key], [unlocked, status, panel, docs])
    upload.click(do_upload, [unlocked, files], [outcome, docs])
    delete.click(do_delete, [unlocked, doc_id], [status, docs, doc_id])
    resync.click(do_resync, [unlocked], [resync_status, docs])
