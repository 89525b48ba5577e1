"""Draw the results of ``python -m benchmarks``: throughput and structuring vs the official client in one PNG,
and the multi-process rate-limit runs in ``shared_rate_limit.png`` beside it.

Needs matplotlib (the ``bench`` extra); called by ``python -m benchmarks --chart PATH``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["SHARED_CHART", "draw"]

SHARED_CHART = "shared_rate_limit.png"
"""Where the multi-process rate-limit chart goes: beside the main chart."""

_COLOURS = {
    "raw aiohttp": "#9e9e9e",
    "aiodd": "#632ca6",
    "official async": "#e8833a",
    "official sync": "#f2c14e",
    "official (ApiClient.deserialize)": "#e8833a",
}


def draw(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sections = results["sections"]
    if "shared_rate_limit" in sections:
        _shared(plt, sections["shared_rate_limit"], path.with_name(SHARED_CHART), results["environment"])
    panels = [key for key in ("throughput", "structuring") if key in sections]
    if not panels:
        if "shared_rate_limit" in sections:
            return
        raise ValueError("the results hold no benchmark that has a chart: nothing to draw")
    figure, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.6), squeeze=False)
    for ax, key in zip(axes[0], panels, strict=True):
        (_throughput if key == "throughput" else _structuring)(ax, sections[key])
    figure.suptitle(
        f"aiodd vs datadog-api-client ({results['environment']['python']}, {results['environment']['date']})"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _bars(ax: Any, groups: list[str], series: dict[str, list[float]], ylabel: str) -> None:
    width = 0.8 / len(series)
    for index, (name, values) in enumerate(series.items()):
        positions = [group + (index - (len(series) - 1) / 2) * width for group in range(len(groups))]
        ax.bar(positions, values, width, label=name, color=_COLOURS.get(name))
    ax.set_xticks(range(len(groups)), groups, fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.grid(axis="y", which="both", alpha=0.3)


def _throughput(ax: Any, section: dict[str, Any]) -> None:
    operations = section["data"]
    clients = list(next(iter(operations.values()))["clients"])
    series = {name: [operations[op]["clients"][name]["rps"] for op in operations] for name in clients}
    labels = {"key": "GET key", "connection": "GET connection", "key_page": "GET 100-key page"}
    _bars(ax, [labels.get(op, op) for op in operations], series, "requests/s (log), higher is better")
    ax.set_title("Throughput, 32 concurrent requests")


def _structuring(ax: Any, section: dict[str, Any]) -> None:
    fixtures = section["data"]
    labels = [row[0].replace(" + included user", "").replace("connection", "conn.") for row in section["rows"]]
    series = {name: [fixtures[key][name] for key in fixtures] for name in ("aiodd", "official")}
    _bars(
        ax,
        labels,
        {"aiodd": series["aiodd"], "official (ApiClient.deserialize)": series["official"]},
        "µs per answer (log), lower is better",
    )
    ax.set_title("Structuring JSON into models")
    for label in ax.get_xticklabels():
        label.set_rotation(15)


def _shared(plt: Any, section: dict[str, Any], path: Path, environment: dict[str, str]) -> None:
    """429s per window and wall ÷ M·P/L against the number of processes, shared in Redis or per process."""
    rows = list(section["data"].values())
    figure, (refused, wall) = plt.subplots(1, 2, figsize=(11, 4.2))
    for shared, label, colour in ((True, "shared in Redis", "#632ca6"), (False, "per process", "#e8833a")):
        points = sorted((row["processes"], row) for row in rows if row["shared"] == shared)
        if not points:
            continue
        ks = [k for k, _ in points]
        refused.plot(ks, [row["per_window"] for _, row in points], "o-", label=label, color=colour)
        wall.plot(ks, [row["efficiency"] for _, row in points], "o-", label=label, color=colour)
    refused.axhline(1.0, color="#9e9e9e", linestyle=":", label="target: at most 1")
    wall.axhline(1.10, color="#9e9e9e", linestyle=":", label="target: at most 1.10")
    for ax, ylabel in ((refused, "429s per window"), (wall, "wall time ÷ M·P/L")):
        ax.set_xlabel("processes sharing the bucket (K)")
        ax.set_ylabel(ylabel)
        ax.set_xscale("log", base=2)
        ax.set_xticks(
            sorted({row["processes"] for row in rows}), [str(k) for k in sorted({row["processes"] for row in rows})]
        )
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    figure.suptitle(f"{section['title']} ({environment['python']}, {environment['date']})", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
