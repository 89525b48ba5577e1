"""Run the benchmarks: ``python -m benchmarks`` (all, full size) or ``python -m benchmarks --quick``.

Prints each benchmark's table as it finishes, then writes the results as JSON and Markdown to
``benchmarks/results/`` (not committed) and, with ``--chart PATH``, a PNG (needs matplotlib).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from . import breakdown, governor_scale, import_time, pagination, rate_limit, shared_rate_limit, structuring, throughput
from ._harness import ROOT, Section

BENCHMARKS: dict[str, Any] = {
    "throughput": throughput,
    "breakdown": breakdown,
    "structuring": structuring,
    "pagination": pagination,
    "rate_limit": rate_limit,
    "governor_scale": governor_scale,
    "shared_rate_limit": shared_rate_limit,
    "import_time": import_time,
}
"""Name -> module; each module has ``FULL``, ``QUICK`` and ``run(config)`` returning sections."""


def environment() -> dict[str, str]:
    versions = {name: metadata.version(name) for name in ("aiodd", "aiohttp", "cattrs", "attrs", "datadog-api-client")}
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(terse=True),
        "cpus": str(os.cpu_count()),
        **versions,
    }


def run_benchmark(name: str, quick: bool) -> list[Section]:
    module = BENCHMARKS[name]
    result = module.run(module.QUICK if quick else module.FULL)
    sections: list[Section] = asyncio.run(result) if inspect.iscoroutine(result) else result
    return sections


def markdown(sections: Sequence[Section], env: dict[str, str], command: str) -> str:
    header = f"Command: `{command}`  \n" + ", ".join(f"{key} {value}" for key, value in env.items())
    return "\n".join([header, "", *(section.markdown() for section in sections)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny counts: a smoke run, not a measurement")
    parser.add_argument(
        "--only", nargs="+", choices=BENCHMARKS, metavar="NAME", help=f"some of: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results", help="directory for JSON/Markdown")
    parser.add_argument("--chart", type=Path, metavar="PNG", help="also draw throughput and structuring charts")
    args = parser.parse_args(argv)
    command = "python -m benchmarks" + (" " + " ".join(sys.argv[1:] if argv is None else argv)).rstrip()

    env = environment()
    sections: list[Section] = []
    for name in args.only or BENCHMARKS:
        started = time.perf_counter()
        for section in run_benchmark(name, args.quick):
            sections.append(section)
            print(section.markdown(), flush=True)
        print(f"({name}: {time.perf_counter() - started:.0f} s)\n", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / ("quick" if args.quick else time.strftime("%Y%m%d-%H%M%S"))
    results = {"command": command, "environment": env, "sections": {s.key: s.as_json() for s in sections}}
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2))
    stem.with_suffix(".md").write_text(markdown(sections, env, command))
    print(f"Results: {stem}.json, {stem}.md")
    if args.chart:
        from .chart import draw

        draw(results, args.chart)
        print(f"Chart: {args.chart}")
    missed = [target.line() for section in sections for target in section.targets if not target.met]
    if missed and not args.quick:
        print("Targets missed:\n" + "\n".join(f"- {line}" for line in missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
