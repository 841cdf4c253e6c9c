"""Shared pieces of the benchmark suite: results, targets, tables, machine facts."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
VENV_BIN = Path(sys.executable).parent


def quiet_environment() -> None:
    """What `make bench` exports; set here too so `python -m bench.run` behaves the same."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@dataclass
class Target:
    name: str
    value: float
    op: str  # ">=", ">", "<=", "<"
    threshold: float
    unit: str = ""

    @property
    def met(self) -> bool:
        return {
            ">=": self.value >= self.threshold,
            ">": self.value > self.threshold,
            "<=": self.value <= self.threshold,
            "<": self.value < self.threshold,
        }[self.op]

    def row(self) -> list[str]:
        return [
            self.name,
            fmt(self.value) + self.unit,
            f"{self.op} {fmt(self.threshold)}{self.unit}",
            "met" if self.met else "**MISSED**",
        ]


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]

    def markdown(self) -> str:
        lines = [
            f"**{self.title}**",
            "",
            "| " + " | ".join(self.headers) + " |",
            "|" + "|".join("---" for _ in self.headers) + "|",
        ]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in self.rows]
        return "\n".join(lines)


@dataclass
class PartResult:
    name: str
    title: str
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    @property
    def missed(self) -> list[str]:
        out = [
            f"{self.name}: {t.name} = {fmt(t.value)}{t.unit} (target {t.op} {fmt(t.threshold)}{t.unit})"
            for t in self.targets
            if not t.met
        ]
        if self.error:
            out.append(f"{self.name}: part failed: {self.error}")
        return out

    def markdown(self) -> str:
        parts = [f"### {self.name}: {self.title}", "", f"Runtime of this part: {self.seconds:.1f} s", ""]
        if self.error:
            parts += [f"**Part failed:** `{self.error}`", ""]
        for table in self.tables:
            parts += [table.markdown(), ""]
        if self.targets:
            parts += [
                Table(
                    "Targets", ["target", "measured", "required", "result"], [t.row() for t in self.targets]
                ).markdown(),
                "",
            ]
        for note in self.notes:
            parts.append(f"- {note}")
        if self.notes:
            parts.append("")
        return "\n".join(parts)


def fmt(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 1:
        return f"{int(value)}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), q in 0..100."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine_facts() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    import torch

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cores": f"{os.cpu_count()} logical ({usable} usable), torch threads {torch.get_num_threads()}",
        "cpu": cpu,
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "sentence-transformers": package_version("sentence-transformers"),
        "chromadb": package_version("chromadb"),
        "bm25s": package_version("bm25s"),
    }


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def progress(**kwargs):  # noqa: ANN003, ANN201 - tqdm bar on stderr
    from tqdm import tqdm

    kwargs.setdefault("file", sys.stderr)
    kwargs.setdefault("dynamic_ncols", True)
    kwargs.setdefault("leave", False)
    return tqdm(**kwargs)
