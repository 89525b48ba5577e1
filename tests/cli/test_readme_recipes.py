"""The README's ``--sink exec:`` recipes for Vault, AWS Secrets Manager and Kubernetes, run as written.

None of those servers runs here, so each tool is a small stand-in executable that checks its
arguments the way the real tool reads them and records what it was asked to store.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import stat
import sys
from pathlib import Path

import pytest

from aiodd.testing import FakeDatadog

README = Path(__file__).resolve().parents[2] / "README.md"

STAND_INS = {
    "vault": """
args = sys.argv[1:]
assert args[:2] == ["kv", "put"] and args[2] == "-mount=secret" and args[4] == "-", args  # KEY then '-': JSON on stdin
record({"tool": "vault", "path": args[3], "data": json.load(sys.stdin)})
""",
    "aws": """
args = sys.argv[1:]
assert args[:2] == ["secretsmanager", "put-secret-value"], args
options = dict(zip(args[2::2], args[3::2]))
source = options["--secret-string"]
assert source.startswith("file://"), source  # the CLI loads file:// parameters from the file
with open(source[len("file://"):]) as handle:
    record({"tool": "aws", "secret_id": options["--secret-id"], "data": json.loads(handle.read())})
""",
    "kubectl": """
import base64
args = sys.argv[1:]
if args[:3] == ["create", "secret", "generic"]:
    name, options = args[3], args[4:]
    key, _, path = next(o for o in options if o.startswith("--from-file=")).removeprefix("--from-file=").partition("=")
    assert "--dry-run=client" in options and options[options.index("-o") + 1] == "yaml", options
    with open(path, "rb") as handle:
        content = base64.b64encode(handle.read()).decode()
    print(json.dumps({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "data": {key: content}}))
elif args == ["apply", "-f", "-"]:
    manifest = json.load(sys.stdin)  # JSON is YAML
    data = {k: json.loads(base64.b64decode(v)) for k, v in manifest["data"].items()}
    record({"tool": "kubectl", "name": manifest["metadata"]["name"], "data": data})
else:
    raise SystemExit(f"unexpected kubectl call: {args}")
""",
}


def recipes() -> dict[str, str]:
    """The exec: commands of the README's recipe block, by the tool they call."""
    found = re.findall(r"^--sink '(exec:.+)'$", README.read_text(encoding="utf-8"), flags=re.MULTILINE)
    by_tool = {tool: spec for spec in found for tool in STAND_INS if re.search(rf"\b{tool} ", spec)}
    assert sorted(by_tool) == sorted(STAND_INS), found
    return by_tool


def install_stand_ins(bin_dir: Path, log: Path) -> None:
    bin_dir.mkdir()
    for tool, body in STAND_INS.items():
        path = bin_dir / tool
        path.write_text(
            f"#!{sys.executable}\nimport json, sys\n"
            f"def record(entry):\n"
            f"    with open({str(log)!r}, 'a') as out:\n"
            f"        out.write(json.dumps(entry) + '\\n')\n" + body
        )
        path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize("tool", sorted(STAND_INS))
async def test_the_recipe_stores_every_new_secret_per_service_account(tool: str, tmp_path: Path) -> None:
    spec = recipes()[tool]
    log = tmp_path / "stored.jsonl"
    install_stand_ins(tmp_path / "bin", log)
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=2, keys_per_account=2)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aiodd", "--base-url", fake.base_url, "keys", "rotate", *accounts,
            "--sink", spec, "--journal", str(tmp_path / "journal.jsonl"),
            env={**os.environ, "DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key,
                 "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, (out + err).decode() + f"\nrecipe: {shlex.split(spec[5:])}"
        entries = [json.loads(line) for line in log.read_text().splitlines()]
        live = {k.id: (sa, k.secret) for sa in accounts for k in fake.state.application_keys(sa)}
    assert {entry["tool"] for entry in entries} == {tool} and len(entries) == 4
    for entry in entries:
        data = entry["data"] if tool != "kubectl" else entry["data"]["app-key.json"]
        sa, secret = live[data["key_id"]]
        assert data["secret"] == secret and data["service_account_id"] == sa
        where = {"vault": entry.get("path"), "aws": entry.get("secret_id"), "kubectl": entry.get("name")}[tool]
        assert where is not None and where.endswith(sa)  # one secret per service account, named by its id
    assert {
        (entry["data"] if tool != "kubectl" else entry["data"]["app-key.json"])["key_id"] for entry in entries
    } == set(live)
