"""The curator tab of the Gradio UI: unlock with a curator key, upload, list, delete and re-sync."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from web.services import Services


def friendly(exc: Exception) -> str:
    from assistant.errors import AssistantError

    return str(exc) if isinstance(exc, AssistantError) else "an internal error; please try again."


def _documents_table(services: Services) -> list[list]:
    return [
        [d.doc_id, d.title, d.doc_type, d.source, d.chunk_count, d.ingested_at]
        for d in services.assistant.kb.documents()
    ]


def curator_tab(services: Services) -> None:
    unlocked = gr.State(False)
    with gr.Row(elem_id="curator-row"):
        key = gr.Textbox(type="password", label="Curator key", scale=4, min_width=160, elem_id="curator-key")
        unlock = gr.Button("Unlock", scale=1, min_width=90, elem_id="unlock")
    status = gr.Markdown(elem_id="curator-status")
    with gr.Column(visible=False, elem_id="curator-panel") as panel:
        files = gr.File(file_count="multiple", label="Upload documents", elem_id="upload")
        upload = gr.Button("Add to knowledge base", variant="primary", elem_id="upload-button")
        outcome = gr.Dataframe(
            headers=["file", "status", "doc_id", "chunks", "reason or warning"],
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

    def do_unlock(value: str, request: gr.Request):
        # The same per-address limit as the API, so the key cannot be guessed here faster than there.
        address = request.client.host if request and request.client else "unknown"
        retry = services.limiter.check(f"ui-unlock:{address}")
        if retry is not None:
            return False, f"Too many attempts; try again in {retry} s.", gr.update(visible=False), []
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
        rows = [
            [o.source, o.status, o.doc_id or "", o.chunks, o.reason or "; ".join(o.warnings)] for o in report.outcomes
        ]
        return rows, _documents_table(services)

    def do_delete(ok: bool, target: str):
        guard(ok)
        target = (target or "").strip()
        try:
            removed = services.remove(target)
        except Exception as exc:
            raise gr.Error(friendly(exc)) from None
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
