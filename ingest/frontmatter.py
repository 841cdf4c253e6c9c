"""YAML front matter at the top of Markdown and text files."""

from __future__ import annotations

import re
from typing import Any

import yaml

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FIELD = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*))?$")
_ITEM = re.compile(r"^[ \t]*-[ \t]+(.*)$")


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (metadata, body): `read_front_matter` without the note."""
    meta, body, _ = read_front_matter(text)
    return meta, body


def read_front_matter(text: str) -> tuple[dict[str, Any], str, str | None]:
    """Return (metadata, body, note), the note saying what was repaired, if anything. Text without front
    matter, or with front matter that is not a mapping, comes back whole with empty metadata.

    Curators write front matter by hand, and the commonest slip is a colon inside a plain value
    (`title: Licensing: Committees and Milestones`), which strict YAML rejects. Such a block is read again one
    `key: value` line at a time, so the document keeps its id, title and filters instead of being filed under
    its file name with the front matter pasted into its text."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, None
    block = match.group(1)
    note = None
    try:
        meta = yaml.safe_load(block)
    except yaml.YAMLError as error:
        meta = _lenient(block)
        if meta:
            note = f"front matter is not valid YAML ({str(error).splitlines()[0]}); read it line by line"
    if not isinstance(meta, dict) or not meta:
        return {}, text, None
    return meta, text[match.end() :], note


def _lenient(block: str) -> dict[str, Any] | None:
    """Read `key: value` lines (and `- item` lines under a key with no value); None unless every line fits."""
    meta: dict[str, Any] = {}
    key = None
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        field, item = _FIELD.match(line), _ITEM.match(line)
        if field:
            key, value = field.group(1), (field.group(2) or "").strip()
            meta[key] = _value(value) if value else []
        elif item and key is not None and isinstance(meta[key], list):
            meta[key].append(_value(item.group(1).strip()))
        else:
            return None
    return meta


def _value(raw: str) -> Any:
    """A value as YAML reads it when it can (lists, dates, numbers, quoted text), else the text as written."""
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw
    # "Licensing: Committees" reads as a one-key mapping; written as a value, it is text.
    return raw if value is None or isinstance(value, dict) else value
