"""`alliance ingest` shows progress bars with a rate on a terminal, and plain lines elsewhere."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

from tests.conftest import write_docs
from tests.e2e.server import BIN, cli_env


def run_on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, env=env, stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process exits
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return process.wait(timeout=300), b"".join(chunks).decode(errors="replace")


def test_progress_bars_on_a_terminal(tmp_path: Path) -> None:
    corpus = write_docs(tmp_path / "corpus")
    code, screen = run_on_terminal([str(BIN / "alliance"), "ingest", str(corpus)], cli_env(tmp_path / "data"))
    assert code == 0
    assert "files:" in screen and "3/3" in screen
    assert "chunks embedded" in screen and "chunk/s" in screen
    assert screen.strip().splitlines()[-1].strip() == "added=3 updated=0 unchanged=0 removed=0 failed=0"


def test_plain_lines_when_not_on_a_terminal(tmp_path: Path) -> None:
    corpus = write_docs(tmp_path / "corpus")
    result = subprocess.run(
        [str(BIN / "alliance"), "ingest", str(corpus)], env=cli_env(tmp_path / "data"), capture_output=True, text=True
    )
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("added ") for line in lines[:3])
    assert "\r" not in result.stdout + result.stderr
