"""Benchmark 2: turning JSON into models, and request models into JSON-ready dicts.

Structuring, per answer: aiodd's ``json.loads`` + ``converter.structure`` (what ``Client`` does
with a body) against the official ``ApiClient.deserialize`` (``json.loads`` + its type checks and
model building, what its ``ApiClient`` does with a body); ``json.loads`` alone for reference.
Unstructuring, per request body: ``converter.unstructure`` against the official ``data_to_dict``
(what its ``ApiClient`` sends). Both sides must produce the same data before they are timed.
Each figure is the median of several timing repeats, the two clients interleaved, GC on.
"""

from __future__ import annotations

import gc
import json
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._harness import Section, Target, median, ratio
from .fixtures import BODIES, RESPONSES, Fixture

__all__ = ["FULL", "QUICK", "Config", "run"]

GOAL = 10.0  # the official client's time ÷ aiodd's, on every fixture


@dataclass(frozen=True)
class Config:
    repeats: int
    seconds: float  # per repeat; 0: time a handful of calls only


FULL = Config(repeats=5, seconds=0.15)
QUICK = Config(repeats=1, seconds=0.0)


def _timers(functions: dict[str, Callable[[], Any]], config: Config) -> dict[str, float]:
    """Median µs per call of each function; repeats alternate between them."""
    timers = {name: timeit.Timer(function, setup=gc.enable) for name, function in functions.items()}
    numbers = {
        name: max(1, round(timer.autorange()[0] * config.seconds / 0.2)) if config.seconds else 3
        for name, timer in timers.items()
    }
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(config.repeats):
        for name, timer in timers.items():
            samples[name].append(timer.timeit(numbers[name]) / numbers[name] * 1e6)
    return {name: median(values) for name, values in samples.items()}


def _official_client() -> Any:
    from datadog_api_client import ApiClient, Configuration

    return ApiClient(Configuration())


def _kind(model: Any) -> str:
    """What a structured answer holds: the integration's class for a connection, else the data's."""
    data = model.data
    integration = getattr(getattr(data, "attributes", None), "integration", None)
    if integration is not None and hasattr(integration, "get_oneof_instance"):  # the official oneOf wrapper
        integration = integration.get_oneof_instance() if not integration._unparsed else integration
    found = integration if integration is not None else (data[0] if isinstance(data, list) else data)
    return type(found).__name__


def structure(config: Config) -> Section:
    official = _official_client()
    section = Section(
        "structuring",
        "Structuring: JSON answer -> models (µs per answer, json.loads included)",
        ["answer", "bytes", "json.loads alone", "aiodd", "official", "official ÷ aiodd"],
    )
    for fixture in RESPONSES:
        times, kinds = _structure_case(fixture, official, config)
        speedup = ratio(times["official"], times["aiodd"])
        size = len(fixture.body)
        section.rows.append([fixture.name, size, times["json"], times["aiodd"], times["official"], speedup])
        section.targets.append(Target(f"structuring {fixture.name}: official ÷ aiodd", speedup, GOAL))
        section.data[fixture.key] = {**times, **kinds, "bytes": size}
    section.notes.append(
        "The HTTP connection sets every credential field: without token values the official client "
        "cannot parse it and keeps an UnparsedObject, which is slower still. The unknown integration "
        "becomes aiodd's UnknownIntegration and the official client's unparsed oneOf."
    )
    return section


def _structure_case(fixture: Fixture, official: Any, config: Config) -> tuple[dict[str, float], dict[str, str]]:
    from aiodd._converter import converter

    body, text, ours, theirs = fixture.body, fixture.body.decode(), fixture.aiodd_model(), fixture.official_model()

    def read_ours() -> Any:
        return converter.structure(json.loads(body), ours)

    def read_theirs() -> Any:
        return official.deserialize(text, (theirs,), True)

    mine, other = read_ours(), read_theirs()
    if _ids(mine) != _ids(other):
        raise AssertionError(f"{fixture.name}: aiodd read {_ids(mine)}, the official client {_ids(other)}")
    times = _timers({"json": lambda: json.loads(body), "aiodd": read_ours, "official": read_theirs}, config)
    return times, {"aiodd_kind": _kind(mine), "official_kind": _kind(other)}


def _ids(model: Any) -> list[str]:
    return [item.id for item in model.data] if isinstance(model.data, list) else [model.data.id]


def unstructure(config: Config) -> Section:
    official = _official_client()
    section = Section(
        "unstructuring",
        "Unstructuring: request model -> JSON-ready dict (µs per body)",
        ["request body", "aiodd", "official", "official ÷ aiodd"],
    )
    for fixture in BODIES:
        times = _unstructure_case(fixture, official, config)
        section.rows.append([fixture.name, times["aiodd"], times["official"], ratio(times["official"], times["aiodd"])])
        section.data[fixture.key] = times
    return section


def _unstructure_case(fixture: Fixture, official: Any, config: Config) -> dict[str, float]:
    from datadog_api_client.model_utils import data_to_dict

    from aiodd._converter import converter

    mine: Any = converter.structure(fixture.document, fixture.aiodd_model())
    other = official.deserialize(json.dumps(fixture.document), (fixture.official_model(),), True)
    for name, written in (("aiodd", converter.unstructure(mine)), ("official", data_to_dict(other))):
        if json.loads(json.dumps(written)) != fixture.document:
            raise AssertionError(f"{fixture.name}: {name} wrote {written!r}")
    return _timers({"aiodd": lambda: converter.unstructure(mine), "official": lambda: data_to_dict(other)}, config)


def run(config: Config) -> list[Section]:
    return [structure(config), unstructure(config)]
