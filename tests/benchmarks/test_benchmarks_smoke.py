"""``python -m benchmarks --quick``: every benchmark runs end to end with tiny counts and reports sane numbers.

A smoke run, not a measurement: nothing here asserts a speed. It keeps the benchmarks from rotting
and checks that each really exercised what it claims (the official clients parsed the answers,
every key was walked, every rate-limited request arrived).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import aiodd

REPO = Path(aiodd.__file__).resolve().parents[1]
CLIENTS = ("raw aiohttp", "aiodd", "official async", "official sync")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("bench")
    argv = [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)]
    if importlib.util.find_spec("matplotlib") is not None:
        argv += ["--chart", str(out / "chart.png")]
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((out / "quick.json").read_text()), out


@pytest.fixture(scope="module")
def sections(quick_run: tuple[dict[str, Any], Path]) -> dict[str, Any]:
    found: dict[str, Any] = quick_run[0]["sections"]
    return found


def _positive(value: float) -> bool:
    return value > 0 and value != float("inf")


def test_every_benchmark_reports(sections: dict[str, Any]) -> None:
    assert set(sections) == {
        "throughput",
        "breakdown",
        "structuring",
        "unstructuring",
        "pagination",
        "rate_limit",
        "governor_scale",
        "shared_rate_limit",
        "import_time",
    }


def test_the_markdown_report_and_chart_are_written(quick_run: tuple[dict[str, Any], Path]) -> None:
    results, out = quick_run
    report = (out / "quick.md").read_text()
    assert report.startswith("Command: `python -m benchmarks --quick")
    assert all(section["title"] in report for section in results["sections"].values())
    if importlib.util.find_spec("matplotlib") is not None:
        assert (out / "chart.png").read_bytes().startswith(b"\x89PNG")


def test_throughput_measures_all_four_clients_on_every_operation(sections: dict[str, Any]) -> None:
    operations = sections["throughput"]["data"]
    assert set(operations) == {"key", "connection", "key_page"}
    for numbers in operations.values():
        assert set(numbers["clients"]) == set(CLIENTS)
        for client in numbers["clients"].values():
            assert _positive(client["rps"]) and _positive(client["cpu_us"])
    assert len(sections["throughput"]["targets"]) == 6


def test_breakdown_measures_every_variant_against_raw_aiohttp(sections: dict[str, Any]) -> None:
    cpu = sections["breakdown"]["data"]["cpu_us"]
    assert "raw aiohttp" in cpu and "aiodd" in cpu and len(cpu) == 7
    assert all(_positive(value) for value in cpu.values())
    rows = sections["breakdown"]["rows"]
    assert [row[0] for row in rows] == list(cpu) and rows[0][2] == 0


def test_structuring_compares_models_the_official_client_really_parsed(sections: dict[str, Any]) -> None:
    fixtures = sections["structuring"]["data"]
    assert set(fixtures) == {"connection_aws", "connection_http", "key", "key_page", "connection_unknown"}
    for numbers in fixtures.values():
        assert _positive(numbers["aiodd"]) and _positive(numbers["official"]) and _positive(numbers["json"])
    assert fixtures["connection_aws"]["official_kind"] == fixtures["connection_aws"]["aiodd_kind"] == "AWSIntegration"
    assert fixtures["connection_http"]["official_kind"] == "HTTPIntegration"
    assert fixtures["connection_unknown"]["aiodd_kind"] == "UnknownIntegration"
    assert fixtures["key_page"]["official_kind"] == "PartialApplicationKey"


def test_unstructuring_times_every_request_body(sections: dict[str, Any]) -> None:
    bodies = sections["unstructuring"]["data"]
    assert set(bodies) == {"create_aws", "create_http", "create_key", "create_service_account"}
    assert all(_positive(times["aiodd"]) and _positive(times["official"]) for times in bodies.values())


def test_pagination_walks_every_key_and_samples_memory(sections: dict[str, Any]) -> None:
    walks = sections["pagination"]["data"]
    assert set(walks) == {"aiodd", "official async"}
    for numbers in walks.values():
        assert numbers["keys"] == 1000
        assert _positive(numbers["keys_per_s"]) and _positive(numbers["rss_first_mb"])
        assert numbers["peak_growth_mb"] >= numbers["end_growth_mb"]


def test_rate_limit_runs_every_request_through_the_limited_fake(sections: dict[str, Any]) -> None:
    clients = sections["rate_limit"]["data"]
    for name in ("aiodd", "official async"):
        assert clients[name]["errors"] == 0
        assert clients[name]["sent"] >= 8
        assert _positive(clients[name]["seconds"])
    assert clients["aiodd"]["sent"] == 8 + clients["aiodd"]["rate_limited"]


def test_governor_scale_measures_every_size_and_checks_both_goals(sections: dict[str, Any]) -> None:
    sizes = sections["governor_scale"]["data"]
    assert set(sizes) == {"10", "100"}
    for numbers in sizes.values():
        for key in ("other_cpu_us", "admitted_cpu_us", "bytes_per_task", "governor_bytes_per_task"):
            assert _positive(numbers[key]), key
        assert numbers["governor_bytes_per_task"] < numbers["bytes_per_task"]
    assert len(sections["governor_scale"]["targets"]) == 2


def test_import_time_times_each_statement(sections: dict[str, Any]) -> None:
    statements = sections["import_time"]["data"]
    for name in ("aiodd", "aiohttp, attrs, cattrs", "official ServiceAccountsApi"):
        assert _positive(statements[name]["import_ms"])
    assert any(module.startswith("aiodd") for module, _ in statements["aiodd_costliest_modules_ms"])


def test_the_shared_rate_limit_runs_every_request_in_every_row(sections: dict[str, Any]) -> None:
    section = sections["shared_rate_limit"]
    rows = section["data"].values()
    assert {row["processes"] for row in rows} == {1, 2}
    assert any(not row["shared"] for row in rows)
    for row in rows:
        assert all(run["sent"] >= 8 for run in row["runs"])  # every request arrived (429s are extra sends)
        assert _positive(row["seconds"])
        if row["shared"]:
            assert _positive(row["trips"])  # the shared rows really went through Redis


def test_raw_aiohttp_and_aiodd_run_back_to_back_in_every_round() -> None:
    from benchmarks.clients import BenchClient, Endpoint
    from benchmarks.throughput import _order

    clients = []
    for name in CLIENTS:
        client = BenchClient(Endpoint("http://127.0.0.1:1"))
        client.name = name
        clients.append(client)
    firsts = set()
    for round_number in range(8):
        names = [client.name for client in _order(clients, round_number)]
        assert sorted(names) == sorted(CLIENTS)
        at = names.index("raw aiohttp")
        assert "aiodd" in names[max(at - 1, 0) : at + 2]
        firsts.add(min(names.index("raw aiohttp"), names.index("aiodd")) == at)
    assert firsts == {True, False}  # which of the two goes first alternates
