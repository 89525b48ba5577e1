"""What every benchmark shares: a stopwatch, medians and ratios, targets, tables, child processes.

Numbers on a shared machine are noisy, so a benchmark repeats each measurement, interleaves the
clients it compares, and reports medians and ratios, never one absolute time.
"""

from __future__ import annotations

import gc
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "ROOT",
    "ChildProcess",
    "Section",
    "Stopwatch",
    "Target",
    "banner_value",
    "child_env",
    "fmt",
    "median",
    "ratio",
    "rss_bytes",
]

ROOT = Path(__file__).resolve().parents[1]
"""The repository root: child processes run there, so ``benchmarks`` and ``aiodd`` import."""


class Stopwatch:
    """Wall time, this process's CPU time (every thread) and the garbage collector's share of it,
    spent inside a ``with`` block."""

    wall: float
    cpu: float
    gc: float  # seconds inside collections (gc.callbacks), part of ``cpu``
    collections: int

    def __enter__(self) -> Stopwatch:
        self.gc, self.collections, self._gc_started = 0.0, 0, 0.0
        gc.callbacks.append(self._on_gc)
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.process_time()
        else:
            self.gc += time.process_time() - self._gc_started
            self.collections += 1


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def fmt(value: Any) -> str:
    """About three significant digits for a number (thousands grouped), ``str`` for the rest."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if isinstance(value, int) or value.is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


@dataclass(frozen=True)
class Target:
    """A goal from issue 7: ``value`` compared with ``goal`` (``at_least`` or at most)."""

    what: str
    value: float
    goal: float
    at_least: bool = True

    @property
    def met(self) -> bool:
        return self.value >= self.goal if self.at_least else self.value <= self.goal

    def line(self) -> str:
        sign = "≥" if self.at_least else "≤"
        return f"{'met' if self.met else 'MISSED'}: {self.what} = {fmt(self.value)} (target {sign} {fmt(self.goal)})"

    def as_json(self) -> dict[str, Any]:
        return {"what": self.what, "value": self.value, "goal": self.goal, "at_least": self.at_least, "met": self.met}


@dataclass
class Section:
    """One benchmark's report: a table, the targets it checks, notes, and the raw numbers."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", "| " + " | ".join(self.columns) + " |"]
        lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(self.columns))) + "|")
        lines += ["| " + " | ".join(fmt(cell) for cell in row) + " |" for row in self.rows]
        if self.targets:
            lines += ["", *(f"- {target.line()}" for target in self.targets)]
        if self.notes:
            lines += ["", *(f"{note}" for note in self.notes)]
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "columns": self.columns,
            "rows": self.rows,
            "targets": [target.as_json() for target in self.targets],
            "notes": self.notes,
            "data": self.data,
        }


def rss_bytes() -> int:
    """This process's resident set size now (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


class ChildProcess:
    """``python -m <module> <args>`` in its own process, started and stopped with ``with``.

    Entering waits for the line containing ``ready`` and returns the lines printed up to it
    (a server's banner: its URL and keys). Leaving sends SIGINT, then kills it if it lingers.
    """

    def __init__(self, module: str, *args: str, ready: str = "Ctrl-C") -> None:
        self.argv = [sys.executable, "-m", module, *args]
        self._ready = ready
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> list[str]:
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self._process = process = subprocess.Popen(
            self.argv, cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=self._stderr, text=True
        )
        assert process.stdout is not None
        banner: list[str] = []
        while True:
            line = process.stdout.readline()
            if not line:
                process.wait()
                self._stderr.seek(0)
                error = self._stderr.read()[-2000:]
                self.__exit__(None, None, None)
                raise RuntimeError(f"{' '.join(self.argv)} exited before it was ready: {error}")
            banner.append(line.rstrip("\n"))
            if self._ready in line:
                return banner

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
        self._stderr.close()


def banner_value(banner: Sequence[str], prefix: str) -> str:
    """The first word after ``prefix`` in a server's banner lines."""
    for line in banner:
        if prefix in line:
            return line.split(prefix, 1)[1].split()[0]
    raise LookupError(f"{prefix!r} not in the banner: {list(banner)}")
