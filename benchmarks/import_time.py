"""Benchmark 5: what an import costs in a fresh interpreter.

Every run is a new process that times the import statement alone (interpreter start-up
excluded, though the process's wall time is reported too); the statements take turns, run after
run, and medians are reported. ``-X importtime`` then names aiodd's most expensive modules.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass

from ._harness import ROOT, Section, Target, child_env, median, ratio

__all__ = ["FULL", "QUICK", "Config", "run"]

STATEMENTS = {
    "aiodd": "import aiodd",
    "aiohttp, attrs, cattrs": "import aiohttp, attrs, cattrs",
    "official ServiceAccountsApi": "import datadog_api_client.v2.api.service_accounts_api",
}
GOAL = 1.20  # import aiodd ÷ import aiohttp, attrs, cattrs, at most


@dataclass(frozen=True)
class Config:
    runs: int


FULL = Config(runs=15)
QUICK = Config(runs=2)


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=child_env(), capture_output=True, text=True, check=True
    )


def _time_import(statement: str) -> tuple[float, float]:
    """Seconds spent in ``statement`` and in the whole process, for one fresh interpreter."""
    program = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    started = time.perf_counter()
    done = _python("-c", program)
    return float(done.stdout), time.perf_counter() - started


def _costliest_modules(count: int = 5) -> list[tuple[str, float]]:
    """aiodd's modules with the largest own import time (ms), from ``-X importtime``."""
    lines = _python("-X", "importtime", "-c", "import aiodd").stderr.splitlines()
    own = []
    for line in lines:
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[2].strip().startswith("aiodd") and parts[0].strip().isdigit():
            own.append((parts[2].strip(), int(parts[0]) / 1000))
    return sorted(own, key=lambda item: -item[1])[:count]


def run(config: Config) -> list[Section]:
    imports: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    processes: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    for _ in range(config.runs):
        for name, statement in STATEMENTS.items():
            seconds, process = _time_import(statement)
            imports[name].append(seconds * 1000)
            processes[name].append(process * 1000)
    baseline = median(imports["aiohttp, attrs, cattrs"])
    section = Section(
        "import_time",
        f"Import time, fresh interpreter (median of {config.runs} runs)",
        ["statement", "import ms", "÷ aiohttp, attrs, cattrs", "whole process ms"],
    )
    for name, statement in STATEMENTS.items():
        ms = median(imports[name])
        section.rows.append([f"`{statement}`", ms, ratio(ms, baseline), median(processes[name])])
        section.data[name] = {"import_ms": ms, "process_ms": median(processes[name]), "runs_ms": imports[name]}
    section.targets.append(
        Target(
            "import aiodd ÷ import aiohttp, attrs, cattrs",
            ratio(median(imports["aiodd"]), baseline),
            GOAL,
            at_least=False,
        )
    )
    costliest = _costliest_modules()
    section.data["aiodd_costliest_modules_ms"] = costliest
    section.notes.append(
        "aiodd's own costliest modules (`-X importtime`, self ms): "
        + ", ".join(f"{module} {ms:.1f}" for module, ms in costliest)
    )
    return [section]
