"""Ingest progress for the CLI: tqdm bars on a terminal, plain lines otherwise."""

from __future__ import annotations

import shutil
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

            size = shutil.get_terminal_size((100, 24))  # a terminal that reports no size gets 100x24
            options = {"file": self.stream, "ncols": size.columns, "nrows": size.lines, "mininterval": 0.2}
            self.files = tqdm(total=self.total_files, desc="files", unit="file", position=0, **options)
            self.chunks = tqdm(desc="chunks embedded", unit="chunk", position=1, **options)
        return self

    def update(self, outcome: FileOutcome) -> None:
        if self.tty:
            self.files.update(1)
            self.chunks.update(outcome.embedded)
            if outcome.status == "failed" or outcome.warnings:
                self.files.write(outcome.line(), file=self.stream)
        else:
            print(outcome.line(), file=sys.stdout, flush=True)

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        for bar in (self.files, self.chunks):
            if bar is not None:
                bar.close()
