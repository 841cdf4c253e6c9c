"""The Gradio chat and curator screens, mounted at `/`; they call the same services as the API."""

from __future__ import annotations

import html
import logging
import re

import gradio as gr

from assistant.followup import Turn
from assistant.passages import Answer, Filters
from assistant.service import Delta
from assistant.vocabulary import DOC_TYPES, TOPICS
from web.curator_ui import curator_tab, friendly
from web.services import Services

log = logging.getLogger(__name__)

EXAMPLES = [
    "We have too many partnerships and a small team. How do I decide which alliances get my time?",
    "How do I run a health check with a partner, and what should it cover?",
    "When is a good moment to reset an alliance, and what should the reset include?",
    "Leadership started sending work to other partners without telling us. What now?",
]
THEME_CSS = """
.gradio-container { max-width: 1100px !important; margin: 0 auto !important; }
#chat { height: clamp(360px, calc(100vh - 300px), 640px) !important; }
#chat .message-content { line-height: 1.55; }
#chat .cite { color: var(--color-accent); font-size: 0.78em; font-weight: 600; white-space: nowrap; }
.sources { margin-top: 12px; padding-top: 8px; border-top: 1px solid var(--border-color-primary); }
.sources .sources-title { margin: 0 0 6px 0; font-weight: 600; font-size: 0.9em; text-transform: uppercase;
  letter-spacing: 0.04em; color: var(--body-text-color-subdued); }
.sources details { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 10px;
  margin: 6px 0; background: var(--background-fill-primary); overflow-wrap: anywhere; }
.sources details[open] { background: var(--background-fill-secondary); }
.sources summary { cursor: pointer; font-weight: 600; line-height: 1.4; }
.sources summary .num { color: var(--color-accent); margin-right: 2px; }
.sources .meta { color: var(--body-text-color-subdued); font-weight: 400; font-size: 0.85em; }
.sources .passage { margin: 8px 0 4px 0; padding: 2px 0 2px 10px; border-left: 3px solid var(--color-accent);
  font-size: 0.95em; }
.sources .snippet { margin: 8px 0 0 0; font-style: italic; }
.sources mark { background: rgba(45, 212, 191, 0.28); color: inherit; padding: 0 2px; border-radius: 3px; }
.sources .source-path { margin: 4px 0 0 0; font-family: var(--font-mono); }
#chat .declined { color: var(--body-text-color-subdued); }
#chat .failed { color: var(--error-text-color, #b91c1c); }
#feedback-row { align-items: center; }
#feedback-row button { white-space: nowrap; }
#feedback-status p { margin: 0; color: var(--body-text-color-subdued); }
#curator-row { align-items: end; }
@media (max-width: 640px) {
  #chat .message-row { margin-left: 4px !important; margin-right: 4px !important;
    max-width: calc(100% - 8px) !important; }
  #chat .bot.message { padding-left: 8px !important; padding-right: 8px !important; }
  #feedback-row button { min-width: 0 !important; }
}
"""

_SOURCES = '\n\n<div class="sources">'
_MARKER = re.compile(r"\[(\d+)\]")
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>")
_BULLET = re.compile(r"^\s*[-*+]\s+")  # markdown list items in a passage read better as bullets
_DOC_ID = re.compile(r'data-doc="([^"]*)"')
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _answer_markdown(text: str) -> str:
    """The answer as safe chat markdown: any HTML in it (from a document or a model) is shown as text,
    and each `[n]` marker gets a styled span."""
    return _markers(html.escape(text, quote=False))


def _markers(escaped: str) -> str:
    return _MARKER.sub(r'<span class="cite">[\1]</span>', escaped)


def _final_message(answer: Answer) -> str:
    """The finished answer: cited text and its sources, or a declined answer marked as such. Either way the
    message ends in an element (`.sources`, `.declined`) that says the answer is complete."""
    if answer.abstained or not answer.citations:
        body = f'<div class="declined">{_markers(_lines(answer.answer))}</div>'
    else:
        body = _answer_markdown(answer.answer)
    return body + ("\n\n" + render_sources(answer) if answer.citations else "")


def _lines(text: str) -> str:
    # No raw newlines: a blank line would end the HTML block and the rest would render as markdown.
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def _passage_html(text: str, snippet: str) -> str:
    """The passage, with the cited sentences highlighted (or the snippet shown above it if they are not found)."""
    text = "\n".join(_BULLET.sub("• ", line) for line in text.strip().split("\n"))
    spans: list[tuple[int, int]] = []
    for sentence in _SENTENCE_END.split(snippet.strip()):
        tokens = sentence.split()
        if tokens:
            found = re.search(r"\s+".join(re.escape(t) for t in tokens), text)
            if found:
                spans.append(found.span())
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    prefix = "" if merged or not snippet.strip() else f'<p class="snippet">{_lines(snippet.strip())}</p>'
    if sum(b - a for a, b in merged) >= len(text) - 2:  # the whole passage is cited: nothing to single out
        merged = []
    out, pos = [], 0
    for a, b in merged:
        out.append(_lines(text[pos:a]))
        out.append(f"<mark>{_lines(text[a:b])}</mark>")
        pos = b
    out.append(_lines(text[pos:]))
    return f'{prefix}<div class="passage">{"".join(out)}</div>'


def render_sources(answer: Answer) -> str:
    if not answer.citations:
        return ""
    parts = ['<div class="sources"><p class="sources-title">Sources</p>']
    for c in answer.citations:
        p = c.passage
        meta = " · ".join(x for x in (p.doc_type, p.section, f"page {p.page}" if p.page else None) if x)
        parts.append(
            f'<details class="source source-{c.index}" data-index="{c.index}" data-doc="{html.escape(p.doc_id)}">'
            f'<summary><span class="num">[{c.index}]</span> <span class="title">{html.escape(p.title)}</span> '
            f'<span class="meta">{html.escape(meta)}</span></summary>'
            f"{_passage_html(p.text, c.snippet)}"
            f'<p class="meta source-path">{html.escape(p.source)}</p></details>'
        )
    parts.append("</div>")
    return "\n".join(parts)


def _plain(content: object) -> str:
    """A chat message's text: Gradio 6 hands messages back as lists of `{"type": "text", "text": ...}` parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return content.get("text") or "" if content.get("type", "text") == "text" else ""
    if isinstance(content, list | tuple):
        return "\n".join(t for t in (_plain(part) for part in content) if t)
    return ""


def _answer_text(content: object) -> str:
    """The answer as the assistant gave it: without the sources block and the markup added for display."""
    text = _BREAK.sub("\n", _plain(content).split(_SOURCES)[0])
    return html.unescape(_TAG.sub("", text))


def _history(messages: list[dict]) -> list[Turn]:
    turns = []
    for m in messages:
        if m.get("role") == "user":
            turns.append(Turn("user", _plain(m.get("content"))))
        elif m.get("role") == "assistant":
            turns.append(Turn("assistant", _answer_text(m.get("content"))))
    return turns


def build_ui(services: Services) -> gr.Blocks:
    with gr.Blocks(title="Alliance Assistant") as ui:
        last = gr.State({})
        gr.Markdown(
            "## Alliance Assistant\nAsk about priorities, health checks and resets. "
            "Every sentence of an answer cites its source passage.",
            elem_id="intro",
        )
        with gr.Tab("Ask", id="ask", elem_id="tab-ask"):
            with gr.Row():
                with gr.Column(scale=4, min_width=300):
                    chat = gr.Chatbot(
                        elem_id="chat",
                        label="Conversation",
                        show_label=False,
                        height=600,
                        buttons=["copy"],
                        feedback_options=("Like", "Dislike"),
                        placeholder="Answers appear here, each sentence with a numbered source you can open.",
                    )
                    with gr.Row(elem_id="ask-row"):
                        box = gr.Textbox(
                            placeholder="Ask about priorities, health checks or resets…",
                            show_label=False,
                            scale=5,
                            min_width=160,
                            elem_id="question",
                            autofocus=True,
                            max_lines=4,
                        )
                        send = gr.Button("Ask", variant="primary", scale=1, min_width=70, elem_id="send")
                    with gr.Row(elem_id="feedback-row"):
                        comment = gr.Textbox(
                            placeholder="Optional comment on the last answer",
                            show_label=False,
                            scale=5,
                            min_width=160,
                            lines=1,
                            max_lines=3,
                            elem_id="comment",
                        )
                        rate_up = gr.Button("Helpful", scale=0, min_width=100, size="sm", elem_id="rate-up")
                        rate_down = gr.Button("Not helpful", scale=0, min_width=120, size="sm", elem_id="rate-down")
                    thanks = gr.Markdown(elem_id="feedback-status")
                    gr.Examples(EXAMPLES, inputs=box, label="Try")
                with gr.Column(scale=1, min_width=220, elem_id="filters"):
                    types = gr.CheckboxGroup(list(DOC_TYPES), label="Document types", elem_id="filter-types")
                    topics = gr.Dropdown(list(TOPICS), multiselect=True, label="Topics", elem_id="filter-topics")
                    clear = gr.Button("New conversation", elem_id="clear")

        def respond(question: str, messages: list[dict], doc_types: list[str], topic_list: list[str]):
            question = (question or "").strip()
            messages = list(messages or [])
            if not question:
                yield messages, gr.update(), {}, gr.update()
                return
            history = _history(messages)
            messages += [{"role": "user", "content": question}, {"role": "assistant", "content": ""}]
            yield messages, "", {}, ""  # clear the box once: later updates must not wipe what the user types next
            text = ""
            try:
                events = services.assistant.stream(
                    question, history, Filters(doc_types=doc_types or [], topics=topic_list or [])
                )
                for event in events:
                    if isinstance(event, Delta):
                        text += event.text
                        messages[-1] = {"role": "assistant", "content": _answer_markdown(text)}
                        yield messages, gr.update(), {}, gr.update()
                    else:
                        services.record_decline(question, event)
                        messages[-1] = {"role": "assistant", "content": _final_message(event)}
                        state = {
                            "question": question,
                            "answer": event.answer,
                            "doc_ids": [c.passage.doc_id for c in event.citations],
                        }
                        yield messages, gr.update(), state, gr.update()
            except Exception as exc:  # the user sees a message, never a trace
                log.exception("chat failed")
                failed = html.escape(f"Sorry, that failed: {friendly(exc)}")
                messages[-1] = {"role": "assistant", "content": f'<div class="failed">{failed}</div>'}
                yield messages, gr.update(), {}, gr.update()

        def rate(kind: str, state: dict, note: str):
            if not state.get("question"):
                return "Ask a question first.", note
            services.feedback.add(
                kind, state["question"], state["answer"], (note or "").strip() or None, state.get("doc_ids")
            )
            return "Thanks, your feedback was saved.", ""

        def liked(messages: list[dict], data: gr.LikeData):
            """The thumbs on a message rate that message, not necessarily the latest answer."""
            if not isinstance(data.liked, bool):
                return
            index = data.index[0] if isinstance(data.index, list | tuple) else data.index
            messages = messages or []
            if not isinstance(index, int) or not 0 <= index < len(messages):
                return
            if messages[index].get("role") != "assistant":
                return
            question = next(
                (_plain(m.get("content")) for m in reversed(messages[:index]) if m.get("role") == "user"), ""
            )
            if not question.strip():
                return
            content = _plain(messages[index].get("content"))
            services.feedback.add(
                "up" if data.liked else "down",
                question.strip(),
                _answer_text(content),
                None,
                _DOC_ID.findall(content) or None,
            )

        inputs = [box, chat, types, topics]
        outputs = [chat, box, last, thanks]
        send.click(respond, inputs, outputs)
        box.submit(respond, inputs, outputs)
        rate_up.click(lambda s, n: rate("up", s, n), [last, comment], [thanks, comment])
        rate_down.click(lambda s, n: rate("down", s, n), [last, comment], [thanks, comment])
        chat.like(liked, [chat], None)
        chat.clear(lambda: ({}, ""), None, [last, thanks])
        clear.click(lambda: ([], {}, ""), None, [chat, last, thanks])

        with gr.Tab("Curator", id="curator", elem_id="tab-curator"):
            curator_tab(services)
    return ui
