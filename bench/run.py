"""Run the benchmark suite: `python -m bench.run [scifact] [ingest] [memory] [api]` (all when none given).

Prints a markdown table per part, appends a dated section to bench/RESULTS.md and exits 1 when a target
is missed (the missed ones are listed last).
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
import time
import traceback
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

from bench.common import BENCH, ROOT, PartResult, Table, quiet_environment

PARTS = {
    "scifact": "bench.scifact",
    "ingest": "bench.ingest_speed",
    "memory": "bench.memory",
    "api": "bench.api_load",
}
RESULTS = BENCH / "RESULTS.md"
HEADER = """# Benchmark results

Appended by `python -m bench.run` (`make bench`); every figure below comes from the run whose command heads
its section. See bench/README.md for what each part measures.
"""


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "parts", nargs="*", metavar="PART", help=f"parts to run, any of: {', '.join(PARTS)} (default: all)"
    )
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="scifact: also sweep rrf_k/weights/candidates (runs anyway when hybrid misses)",
    )
    parser.add_argument(
        "--chunk-sizes",
        default="",
        metavar="N,N",
        help="scifact: also ingest and score these chunk sizes (each is a full re-ingest)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="markdown file to append to")
    opts = parser.parse_args(argv)
    unknown = [p for p in opts.parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    opts.parts = list(dict.fromkeys(opts.parts)) or list(PARTS)
    opts.chunk_sizes = [int(c) for c in opts.chunk_sizes.split(",") if c.strip()]
    return opts


def command_line(argv: list[str]) -> str:
    exe = Path(sys.executable)
    shown = str(exe.relative_to(ROOT)) if exe.is_relative_to(ROOT) else "python"
    return " ".join([shown, "-m", "bench.run", *(shlex.quote(a) for a in argv)])


def cpu_seconds() -> tuple[float, float]:
    """(busy CPU-seconds of the whole machine, CPU-seconds of this process and its waited-for children)."""
    import resource

    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait
    busy = (sum(fields[:8]) - fields[3] - fields[4]) / tick
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return busy, me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    opts = parse(argv)
    quiet_environment()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # libraries that set their own loggers to DEBUG stay quiet
        handler.setLevel(logging.WARNING)
    for noisy in ("chromadb", "bm25s", "sentence_transformers", "transformers", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    from bench.common import machine_facts

    started = datetime.now(UTC)
    command = command_line(argv)
    facts = machine_facts()
    results: list[PartResult] = []
    t0 = time.perf_counter()
    for number, name in enumerate(opts.parts, start=1):
        print(f"[{number}/{len(opts.parts)}] {name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        cpu_before = cpu_seconds()
        try:
            result = import_module(PARTS[name]).run(opts)
        except Exception as exc:  # noqa: BLE001 - one broken part must not hide the others
            traceback.print_exc()
            result = PartResult(name, "failed", error=f"{type(exc).__name__}: {exc}")
        result.seconds = time.perf_counter() - start
        machine, own = (after - before for after, before in zip(cpu_seconds(), cpu_before, strict=True))
        other = max(0.0, machine - own)
        capacity = result.seconds * (os.cpu_count() or 1)
        result.notes.append(
            f"CPU used by other processes during this part: {other:.0f} CPU-s, "
            f"{100 * other / capacity if capacity else 0:.0f}% of the machine ({os.cpu_count()} cores); "
            f"this benchmark used {own:.0f} CPU-s. Timings are only comparable when the first figure is near 0."
        )
        results.append(result)
        print(f"[{number}/{len(opts.parts)}] {name} done in {result.seconds:.1f} s", file=sys.stderr, flush=True)
    total = time.perf_counter() - t0

    summary = Table(
        "Parts",
        ["part", "runtime s", "targets met", "result"],
        [
            [
                r.name,
                f"{r.seconds:.1f}",
                f"{sum(t.met for t in r.targets)}/{len(r.targets)}",
                "ok" if not r.missed else "**MISSED**",
            ]
            for r in results
        ],
    )
    section = "\n".join(
        [
            f"## {started:%Y-%m-%d %H:%M} UTC: `{command}`",
            "",
            "Machine: " + "; ".join(f"{k} {v}" for k, v in facts.items()),
            "",
            f"Total runtime: {total:.1f} s",
            "",
            summary.markdown(),
            "",
            *[r.markdown() for r in results],
        ]
    )
    print(section)
    missed = [m for r in results for m in r.missed]
    results_path: Path = opts.results
    if not results_path.exists():
        results_path.write_text(HEADER)
    with results_path.open("a", encoding="utf-8") as handle:
        handle.write("\n" + section.rstrip() + "\n")
    print(f"\nAppended to {results_path}", file=sys.stderr)
    if missed:
        print("\nTargets missed:", file=sys.stderr)
        for line in missed:
            print(f"  - {line}", file=sys.stderr)
        return 1
    print("All targets met.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
