"""`alliance serve` under load: POST /v1/ask from 1, 8 and 32 concurrent clients on loopback.

The server runs as its own process (the .venv console script) on a free 127.0.0.1 port, over a temp data
dir ingested with `alliance ingest corpus`, rate limiting off. Each level is bounded by a request count and
a time budget; latency percentiles cover completed requests, errors are non-200s, bad bodies and exceptions.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import ROOT, VENV_BIN, PartResult, Stopwatch, Table, Target, fmt, percentile, progress

LEVELS = (1, 8, 32)
MAX_REQUESTS = 200
MAX_SECONDS = 30.0
STARTUP_TIMEOUT = 240.0

# What people ask the assistant (plus a few it should decline), cycled in order.
QUESTIONS = [
    "we have 14 partnerships and two people, where do I even start?",
    "How do I run a joint health check with a partner?",
    "what do I do with partnerships that are high risk AND high value?",
    "How should we set up governance for a new alliance?",
    "Our executive sponsor left the company. What now?",
    "Which metrics should we share with a co-selling partner?",
    "How do I know it's time to exit an alliance?",
    "How do we wind down a partnership without burning the relationship?",
    "What skills does a good alliance manager need?",
    "How do I get leadership to care about our partnerships?",
    "The partner keeps missing milestones, how do I escalate?",
    "How often should the joint steering committee meet?",
    "What goes into an alliance reset after a rough year?",
    "how do I staff alliances when we don't have enough people?",
    "What should a partner health survey ask?",
    "How do regional partners differ from global ones?",
    "leadership changed course on our alliance strategy, how do we adapt?",
    "How do I prioritise my alliance portfolio?",
    "What is a risk-value grid and how do I use it?",
    "What makes a good alliance charter?",
    "What's the weather in Paris tomorrow?",
    "How do I file my personal income tax return?",
    "What is our company's vacation policy?",
    "Write me a poem about databases.",
]
IN_SCOPE = 20  # the first 20 questions are answerable from corpus/, the rest are not


@dataclass
class Level:
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    abstained_in: int = 0  # in-scope questions the server declined
    answered_out: int = 0  # out-of-scope questions the server answered
    seconds: float = 0.0

    @property
    def done(self) -> int:
        return len(self.latencies) + sum(self.errors.values())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, server: subprocess.Popen, timeout: float) -> float:
    import httpx

    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode} before /health answered")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"/health did not answer within {timeout:.0f} s")


def ask_once(client: Any, base: str, question: str) -> tuple[float, str | None, bool]:
    """(seconds, error or None, abstained)."""
    start = time.perf_counter()
    try:
        response = client.post(f"{base}/v1/ask", json={"question": question})
    except Exception as exc:  # noqa: BLE001 - every failure is a data point
        return time.perf_counter() - start, type(exc).__name__, False
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        return elapsed, f"HTTP {response.status_code}", False
    try:
        body = response.json()
    except ValueError:
        return elapsed, "invalid JSON", False
    if not isinstance(body.get("answer"), str) or "citations" not in body:
        return elapsed, "unexpected body", False
    return elapsed, None, bool(body.get("abstained"))


def run_level(base: str, clients: int) -> Level:
    import httpx

    level = Level(clients)
    lock = threading.Lock()
    issued = 0
    bar = progress(total=MAX_REQUESTS, desc=f"api: {clients} client(s)", unit="req")
    start = time.perf_counter()
    deadline = start + MAX_SECONDS
    last_end = start

    def worker() -> None:
        nonlocal issued, last_end
        with httpx.Client(timeout=120) as client:
            while True:
                with lock:
                    if issued >= MAX_REQUESTS or time.perf_counter() >= deadline:
                        return
                    index = issued % len(QUESTIONS)
                    question = QUESTIONS[index]
                    issued += 1
                seconds, error, abstained = ask_once(client, base, question)
                with lock:
                    if error:
                        level.errors[error] += 1
                    else:
                        level.latencies.append(seconds)
                        if index < IN_SCOPE:
                            level.abstained_in += abstained
                        else:
                            level.answered_out += not abstained
                    last_end = max(last_end, time.perf_counter())
                    bar.update(1)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bar.close()
    level.seconds = last_end - start
    return level


def stop(server: subprocess.Popen) -> int:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    return server.returncode


def run(opts: Any) -> PartResult:
    import httpx

    result = PartResult("api", "`alliance serve` under load: POST /v1/ask on 127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        tmpdir = Path(tmp)
        env = {
            **os.environ,
            "ALLY_DATA_DIR": str(tmpdir / "data"),
            "ALLY_RATE_LIMIT_PER_MINUTE": "0",
            "GRADIO_ANALYTICS_ENABLED": "False",
        }
        env.pop("ALLY_API_KEYS", None)  # reads stay open, as in the default setup
        with Stopwatch() as ingest_watch:
            ingested = subprocess.run(
                [str(VENV_BIN / "alliance"), "ingest", "corpus"], env=env, cwd=ROOT, capture_output=True, text=True
            )
        if ingested.returncode != 0:
            result.error = f"`alliance ingest corpus` exited {ingested.returncode}: {ingested.stderr[-500:]}"
            return result
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = tmpdir / "server.log"
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [str(VENV_BIN / "alliance"), "serve", "--host", "127.0.0.1", "--port", str(port), "--corpus", "corpus"],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        levels: list[Level] = []
        try:
            startup = wait_healthy(base, server, STARTUP_TIMEOUT)
            ready = httpx.get(f"{base}/ready", timeout=10).json()
            with httpx.Client(timeout=120) as client:
                first, first_error, _ = ask_once(client, base, QUESTIONS[0])
                for question in QUESTIONS[1:6]:
                    ask_once(client, base, question)
            for clients in LEVELS:
                levels.append(run_level(base, clients))
        except Exception as exc:  # noqa: BLE001 - report it with the server's log
            result.error = f"{exc}; server log tail: {log_path.read_text()[-800:]!r}"
        finally:
            code = stop(server)
            server_log = log_path.read_text()
    if result.error:
        return result

    rows = []
    for level in levels:
        lat = level.latencies
        rows.append(
            [
                level.clients,
                level.done,
                sum(level.errors.values()),
                ", ".join(f"{k} x{v}" for k, v in level.errors.items()) or "-",
                fmt(1000 * percentile(lat, 50)),
                fmt(1000 * percentile(lat, 95)),
                fmt(1000 * max(lat)) if lat else "-",
                fmt(level.done / level.seconds) if level.seconds else "-",
                fmt(level.seconds),
                f"{level.abstained_in} / {level.answered_out}",
            ]
        )
    result.tables.append(
        Table(
            f"POST /v1/ask, at most {MAX_REQUESTS} requests or {MAX_SECONDS:.0f} s per level",
            [
                "clients",
                "requests",
                "errors",
                "error kinds",
                "p50 ms",
                "p95 ms",
                "max ms",
                "requests/s",
                "seconds",
                "in-scope declined / out-of-scope answered",
            ],
            rows,
        )
    )
    result.tables.append(
        Table(
            "Server",
            ["fact", "value"],
            [
                [
                    "`alliance ingest corpus` (cold process)",
                    f"{fmt(ingest_watch.seconds)} s: {(ingested.stdout.strip().splitlines() or [''])[-1]}",
                ],
                ["start until /health answers", f"{fmt(startup)} s"],
                [
                    "/ready",
                    f"{ready.get('status')}, {ready.get('documents')} documents, composer {ready.get('composer')}",
                ],
                [
                    "first /v1/ask after /health",
                    f"{fmt(1000 * first)} ms{' error ' + first_error if first_error else ''}",
                ],
                ["exit code after SIGINT", str(code)],
                [
                    "ERROR/Traceback lines in server log",
                    str(
                        sum(1 for line in server_log.splitlines() if " ERROR " in line or line.startswith("Traceback"))
                    ),
                ],
            ],
        )
    )
    for level in levels:
        result.targets.append(Target(f"errors at {level.clients} client(s)", sum(level.errors.values()), "<=", 0))
    result.notes.append(
        f"{len(QUESTIONS)} questions cycled in order, the last {len(QUESTIONS) - IN_SCOPE} outside the corpus "
        "(the assistant should decline them). Client threads share the 2 cores with the server."
    )
    return result
