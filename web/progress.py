"""Ingest progress for the CLI: tqdm bars on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
from types import TracebackType

from ingest.sync import FileOutcome


class IngestProgress:
    def __init__(self, total_files: int, stream=None) -> None:  # noqa: ANN001
        self.stream = stream or sys.stderr
        self.total_files = total_files
        self.tty = self.stream.isatty()
        self.files = self.chunks = None

    def __enter__(self) -> IngestProgress:
        if self.tty:
            from tqdm import tqdm

            self.files = tqdm(total=self.total_files, desc="files", unit="file", file=self.stream, position=0)
            self.chunks = tqdm(desc="chunks embedded", unit="chunk", file=self.stream, position=1)
        return self

    def update(self, outcome: FileOutcome) -> None:
        if self.tty:
            self.files.update(1)
            self.chunks.update(outcome.embedded)
            if outcome.status == "failed":
                self.files.write(outcome.line(), file=self.stream)
        else:
            print(outcome.line(), file=sys.stdout, flush=True)

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        for bar in (self.files, self.chunks):
            if bar is not None:
                bar.close()
