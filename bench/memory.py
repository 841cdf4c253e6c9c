"""Peak RSS of `alliance ingest` over 1,000 small distinct Markdown documents: does it stay flat?

Two views, each from real `alliance ingest <folder>` subprocesses with a fresh data dir:
- one 1,000-document run, peak RSS (VmHWM from /proc/<pid>/status) read as its 250th, 500th and
  1,000th per-file line appears, and until it exits (after the keyword index is built);
- separate runs over folders of 250, 500 and 1,000 documents, each one's peak RSS until exit.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, VENV_BIN, PartResult, Stopwatch, Table, Target, fmt, progress

CHECKPOINTS = (250, 500, 1000)
CHUNKS = re.compile(r"\((\d+) chunks")
WORDS_PER_DOC = 120

TOPICS = [
    "governance",
    "sponsorship",
    "health check",
    "portfolio",
    "milestones",
    "resourcing",
    "exit planning",
    "joint steering",
    "co-selling",
    "shared metrics",
    "escalation",
    "trust",
    "decision rights",
    "renewal",
    "onboarding",
    "capability building",
    "risk review",
    "value tracking",
    "alignment",
    "incentives",
]
VOCAB = (
    "alliance partner partnership manager sponsor executive steering committee charter review quarterly "
    "annual milestone tracker dashboard metric value risk issue escalation path decision owner budget "
    "forecast pipeline revenue launch market region team capacity skill training workshop survey score "
    "trust conflict resolution renegotiation term sheet exit clause wind-down transition handover asset "
    "licence royalty research development clinical regulatory supply manufacturing quality audit data "
    "sharing platform integration roadmap priority backlog cadence meeting agenda minutes action follow-up "
    "champion stakeholder map influence relationship culture communication feedback retrospective lesson "
    "benchmark target objective outcome impact growth margin cost saving efficiency synergy portfolio "
    "segment tier strategic tactical operational contract obligation compliance legal finance procurement"
).split()


def make_docs(folder: Path, count: int, seed: int = 7) -> None:
    """`count` distinct ~120-word Markdown documents with front matter (same seed: same documents)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        topic = TOPICS[i % len(TOPICS)]
        words: list[str] = []
        sentences: list[str] = []
        while len(words) < WORDS_PER_DOC:
            sentence = [rng.choice(VOCAB) for _ in range(rng.randint(8, 16))]
            sentence[rng.randrange(len(sentence))] = f"{topic} #{i}-{len(sentences)}".replace("#", "no.")
            words += sentence
            sentences.append(" ".join(sentence).capitalize() + ".")
        body = " ".join(sentences)
        text = (
            f"---\nid: mem-{i:04d}\ntype: article\ntopics: [{topic}]\n---\n"
            f"# Note {i}: {topic} practice {rng.randint(1, 10**6)}\n\n{body}\n"
        )
        (folder / f"note-{i:04d}.md").write_text(text, encoding="utf-8")


def vm_hwm_kib(pid: int) -> int:
    """Peak resident set of the process's address space in KiB (0 once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def ingest(folder: Path, data_dir: Path, count: int, desc: str, checkpoints: tuple[int, ...] = ()) -> dict[str, Any]:
    """Run `alliance ingest folder`; peak RSS (KiB) at the given per-file line counts and at exit.

    Peak RSS is the kernel's VmHWM of the child's own address space, polled every 50 ms until it exits.
    (ru_maxrss from wait4 would be wrong here: Linux charges a child with its parent's RSS at fork/exec,
    so a child of this 1+ GB benchmark process would report the parent's size.)
    """
    env = {**os.environ, "ALLY_DATA_DIR": str(data_dir)}
    stderr_path = data_dir.parent / f"{data_dir.name}.stderr"
    seen: dict[int, int] = {}
    peak = 0
    lines = 0
    chunks = 0
    bar = progress(total=count, desc=desc, unit="doc")
    with Stopwatch() as watch, stderr_path.open("w") as stderr:
        proc = subprocess.Popen(
            [str(VENV_BIN / "alliance"), "ingest", str(folder)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            bufsize=1,
        )

        def poll() -> None:
            nonlocal peak
            while proc.poll() is None:
                peak = max(peak, vm_hwm_kib(proc.pid))
                time.sleep(0.05)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        assert proc.stdout is not None
        summary = ""
        for line in proc.stdout:
            if line.startswith(("added ", "updated ", "unchanged ", "failed ")):
                lines += 1
                found = CHUNKS.search(line)
                chunks += int(found.group(1)) if found else 0
                bar.update(1)
                if lines in checkpoints:
                    seen[lines] = vm_hwm_kib(proc.pid)
            elif line.strip():
                summary = line.strip()
        proc.wait()
        poller.join()
    bar.close()
    return {
        "checkpoints": seen,
        "maxrss": max([peak, *seen.values()]),
        "seconds": watch.seconds,
        "files": lines,
        "chunks": chunks,
        "summary": summary,
        "rc": proc.returncode,
        "stderr": stderr_path.read_text()[-2000:],
    }


def mib(kib: float) -> str:
    return fmt(kib / 1024)


def run(opts: Any) -> PartResult:
    result = PartResult("memory", "peak RSS of `alliance ingest` over 1,000 small documents")
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        tmpdir = Path(tmp)
        folders = {}
        for count in CHECKPOINTS:
            folders[count] = tmpdir / f"docs-{count}"
            make_docs(folders[count], count)
        runs: dict[int, dict[str, Any]] = {}
        for count in CHECKPOINTS:
            runs[count] = ingest(
                folders[count],
                tmpdir / f"data-{count}",
                count,
                f"memory: ingest {count} docs",
                CHECKPOINTS if count == max(CHECKPOINTS) else (),
            )

    failures = [
        f"{c} docs: exit {r['rc']} ({r['summary']}) {r['stderr'][-300:]}"
        for c, r in runs.items()
        if r["rc"] != 0 or r["files"] != c
    ]
    big = runs[max(CHECKPOINTS)]
    marks = big["checkpoints"]
    result.tables.append(
        Table(
            "One 1,000-document run: peak RSS as the Nth file is reported",
            ["documents done", "peak RSS MiB (VmHWM)", "vs 250"],
            [[n, mib(marks[n]), f"{100 * (marks[n] / marks[250] - 1):+.1f}%"] for n in CHECKPOINTS if n in marks]
            + [
                [
                    "1,000 + keyword index, until exit",
                    mib(big["maxrss"]),
                    f"{100 * (big['maxrss'] / marks[250] - 1):+.1f}%" if 250 in marks else "-",
                ]
            ],
        )
    )
    first = runs[min(CHECKPOINTS)]["maxrss"]
    result.tables.append(
        Table(
            "Separate runs, fresh process and data dir each: peak RSS (VmHWM) until exit",
            ["documents", "chunks", "peak RSS MiB", "vs 250", "seconds", "docs/s", "summary"],
            [
                [
                    c,
                    r["chunks"],
                    mib(r["maxrss"]),
                    f"{100 * (r['maxrss'] / first - 1):+.1f}%",
                    fmt(r["seconds"]),
                    fmt(r["files"] / r["seconds"]),
                    r["summary"],
                ]
                for c, r in runs.items()
            ],
        )
    )
    if 250 in marks and 1000 in marks:
        result.targets.append(
            Target("one run: peak at 1,000 docs / peak at 250 docs", big["maxrss"] / marks[250], "<=", 1.15)
        )
    result.targets.append(Target("separate runs: peak(1,000) / peak(250)", big["maxrss"] / first, "<=", 1.15))
    result.notes.append(
        f"Documents: {WORDS_PER_DOC}+ words each (about 1,200 characters), distinct seeded random sentences; "
        f"{big['chunks'] / max(big['files'], 1):.1f} chunks per document at the default chunk_size."
    )
    if failures:
        result.error = "ingest runs failed: " + " | ".join(failures)
    return result
