"""`create_app(settings)`: the FastAPI app with the JSON API, the OpenAI-compatible chat and the Gradio UI."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from assistant.settings import Settings
from web import errors
from web.routes import ask, chat, documents, feedback, health
from web.routes.health import product_version
from web.services import Services, build_services

log = logging.getLogger(__name__)


def create_app(
    settings: Settings, services: Services | None = None, corpus_dir: Path | None = None, ui: bool = True
) -> FastAPI:
    services = services or build_services(settings, corpus_dir)
    app = FastAPI(
        title="Alliance Assistant API",
        version=product_version(),
        description=(
            "Cited answers on alliance and partnership best practice. Every sentence of an answer carries "
            "`[n]` markers that point to the citation with `index` n. Reads need a reader key only when "
            "`ALLY_API_KEYS` is set; writes always need a curator key (`Authorization: Bearer <key>`)."
        ),
    )
    app.state.services = services
    errors.install(app)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    for module in (health, ask, documents, chat, feedback):
        app.include_router(module.router)
    if ui:
        os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        import gradio as gr

        from web.ui import THEME_CSS, build_ui

        app = gr.mount_gradio_app(
            app,
            build_ui(services),
            path="/",
            css=THEME_CSS,
            footer_links=["api"],
            show_error=False,
            theme=gr.themes.Soft(primary_hue="teal"),
        )
    return app
