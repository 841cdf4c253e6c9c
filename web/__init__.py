"""The faces of the assistant: the JSON API, the OpenAI-compatible chat, the Gradio UI and the CLI."""
