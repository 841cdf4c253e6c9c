"""`alliance ingest` as a user runs it: one line per file, a summary line last, and exit codes 0/1/2."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import write_docs
from tests.ingest.builders import ALLIANCE, SUMMARY, cli_env, write_bytes


def alliance(data_dir: Path, *args: str | Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALLIANCE, *map(str, args)],
        env=cli_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def documents(data_dir: Path) -> list[dict]:
    result = alliance(data_dir, "documents", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_missing_path_exits_2_with_one_line_on_stderr(tmp_path: Path) -> None:
    good = write_docs(tmp_path / "corpus", {"good.md": "# Good\n\nGood text.\n"})
    missing = tmp_path / "no-such-folder"
    result = alliance(tmp_path / "data", "ingest", good, missing)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(missing) in lines[0]
    assert result.stdout == ""
    # a usage error stores nothing, not even the good folder given beside it
    assert documents(tmp_path / "data") == []


def test_a_bad_file_fails_alone_and_the_exit_code_is_1(tmp_path: Path) -> None:
    root = write_docs(
        tmp_path / "corpus",
        {
            "good.md": "---\nid: good-doc\ntitle: Good Document\n---\nSteering committees meet every quarter.\n",
            "colon.md": "---\nid: colon-doc\ntitle: Reviews: Quarterly\n---\nReviews happen every quarter.\n",
        },
    )
    write_bytes(root / "notes.xyz", b"not a supported format")
    data = tmp_path / "data"
    result = alliance(data, "ingest", root)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    summary = SUMMARY.match(lines[-1])
    assert summary, lines
    added, updated, unchanged, removed, failed = map(int, summary.groups())
    assert (added, updated, unchanged, removed, failed) == (2, 0, 0, 0, 1)
    assert len(lines) == 4, "one line per file, then the summary"
    per_file = lines[:-1]
    assert any(line.startswith("added good.md") and "good-doc" in line for line in per_file), per_file
    assert any(line.startswith("failed notes.xyz") and "unsupported" in line for line in per_file), per_file
    # a repaired file is stored, and its line says what was repaired
    assert any(line.startswith("added colon.md") and "warning: front matter" in line for line in per_file), per_file
    assert not any("warning" in line for line in per_file if line.startswith("added good.md")), per_file
    listed = documents(data)
    assert [(d["doc_id"], d["title"], d["source"]) for d in listed] == [
        ("colon-doc", "Reviews: Quarterly", "colon.md"),
        ("good-doc", "Good Document", "good.md"),
    ]


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """Files as they come from other machines: a BOM, CRLF line endings, Windows-1252 punctuation, no front
    matter at all; ingested once by the CLI."""
    tmp = tmp_path_factory.mktemp("elsewhere")
    root = tmp / "inbox"
    write_bytes(
        root / "renewals.txt",
        "\ufeffContract Renewal Checklist\r\n\r\nStart the renewal talks six months before the contract ends.\r\n"
        "Review the partner\u2019s scorecard before any renewal meeting.\r\n".encode(),
    )
    write_bytes(
        root / "handbook.md",
        "# Partner Caf\u00e9 Handbook\r\n\r\nThe partner\u2019s team joins each quarterly review.\r\n".encode("cp1252"),
    )
    data = tmp / "data"
    return data, root, alliance(data, "ingest", root)


def test_text_and_markdown_written_elsewhere_ingest_with_exit_0(elsewhere) -> None:  # noqa: ANN001
    data, root, result = elsewhere
    assert result.returncode == 0, result.stdout + result.stderr
    summary = SUMMARY.match(result.stdout.strip().splitlines()[-1])
    assert summary and summary.groups() == ("2", "0", "0", "0", "0"), result.stdout

    listed = {d["source"]: d for d in documents(data)}
    assert set(listed) == {"renewals.txt", "handbook.md"}
    assert listed["renewals.txt"]["title"] == "Contract Renewal Checklist"
    assert listed["renewals.txt"]["doc_id"] == "renewals"
    assert listed["handbook.md"]["title"] == "Partner Caf\u00e9 Handbook"
    assert all(d["chunk_count"] >= 1 and d["doc_type"] == "document" for d in listed.values())

    again = alliance(data, "ingest", root)
    assert again.returncode == 0
    assert again.stdout.strip().splitlines()[-1] == "added=0 updated=0 unchanged=2 removed=0 failed=0"


def test_a_successful_ingest_writes_nothing_to_stderr(elsewhere) -> None:  # noqa: ANN001
    # stderr is where the CLI's errors go; a clean run must not leave library debug logs there
    _, _, result = elsewhere
    assert result.returncode == 0
    assert result.stderr.strip() == "", result.stderr
