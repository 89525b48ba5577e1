"""Draw the results of ``python -m benchmarks`` as one PNG: throughput and structuring vs the official client.

Needs matplotlib (the ``bench`` extra); called by ``python -m benchmarks --chart PATH``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["draw"]

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
    panels = [key for key in ("throughput", "structuring") if key in sections]
    if not panels:
        raise ValueError("the results hold neither throughput nor structuring: nothing to draw")
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
