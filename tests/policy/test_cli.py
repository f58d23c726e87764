"""`policy check`: JSON Lines in, one verdict or error line per input line, exit 0/1/2.

Invoked through click's CliRunner on `policy_cli` (no Flask app needed), through a bare Flask app to
show it registers with `app.cli.add_command`, and once as a real process with real pipes.
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from app.cli.policy import policy_cli
from tests.policy.support import make_case

REPO = Path(__file__).resolve().parents[2]


def run(args, lines):
    text = "".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    return CliRunner().invoke(policy_cli, ["check", *args], input=text)


def out_lines(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def no_network(monkeypatch):
    """The command must work with no network (and so no Redis or remote DB)."""
    def refuse(*args, **kwargs):
        raise AssertionError("policy check opened a socket")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_verdicts_come_back_in_input_order(no_network):
    cases = [make_case(case=f"c{i}", order={"status": s, "remains": 100})
             for i, s in enumerate(["Partial", "Completed", "Failed", "Weird", "Canceled"])]
    result = run(["--policy", "mysticsmm"], [json.dumps(c) + "\n" for c in cases])
    assert result.exit_code == 0, result.stderr
    got = out_lines(result)
    assert [g["case"] for g in got] == ["c0", "c1", "c2", "c3", "c4"]
    assert [g["decision"] for g in got] == ["credit", "deny", "credit", "review", "review"]
    assert got[0]["amount"] == "0.60"
    assert all(set(g) == {"case", "decision", "amount", "clauses", "explanation"} for g in got)


def test_bad_lines_get_error_lines_and_the_run_goes_on():
    good = json.dumps(make_case(case="ok")) + "\n"
    bad_schema = json.dumps(make_case(case="bad", order={"charge": 3.0})) + "\n"
    result = run(["--policy", "smmatic"], [good, "{not json\n", bad_schema, "\n", "[1]\n", good])
    assert result.exit_code == 1
    got = out_lines(result)
    assert len(got) == 6
    assert got[0]["case"] == "ok" and got[5]["case"] == "ok"
    assert got[1]["line"] == 2 and "not valid JSON" in got[1]["error"]
    assert got[2] == {"line": 3, "error": got[2]["error"]}
    assert "order.charge must be a decimal string" in got[2]["error"]
    assert got[3]["line"] == 4 and "empty line" in got[3]["error"]
    assert got[4]["line"] == 5 and "must be a JSON object" in got[4]["error"]


@pytest.mark.parametrize(("change", "words"), [
    ({"kind": "refundd"}, "kind must be one of refund, refill, cancel, payment"),
    ({"now": "yesterday"}, "now must be an ISO-8601 UTC time"),
    ({"order": {"quantity": 0}}, "order.quantity must be an integer of at least 1"),
    ({"order": {"remains": "157"}}, 'order.remains must be an integer, got the string "157"'),
    ({"order": {"service": {"refill": "yes"}}}, "order.service.refill must be true or false"),
    ({"customer": None}, "customer must be a JSON object"),
    ({"order": {"refunded": "-1"}}, "order.refunded must be a decimal string"),
    ({"order": {"charge": "NaN"}}, "order.charge must be a decimal string"),
])
def test_schema_errors_are_in_words(change, words):
    result = run(["--policy", "mysticsmm"], [json.dumps(make_case(**change)) + "\n"])
    assert result.exit_code == 1
    assert words in out_lines(result)[0]["error"]


def test_missing_field_is_named():
    data = make_case()
    del data["order"]["created_at"]
    result = run(["--policy", "mysticsmm"], [json.dumps(data) + "\n"])
    assert out_lines(result)[0] == {"line": 1, "error": "order.created_at is missing"}


def test_a_policy_path_works(tmp_path):
    path = tmp_path / "copy.toml"
    path.write_text((REPO / "policies" / "smm-trust-panel.toml").read_text())
    result = run(["--policy", str(path)], [json.dumps(make_case()) + "\n"])
    assert result.exit_code == 0
    assert out_lines(result)[0]["decision"] == "deny"


def test_an_unloadable_policy_exits_2_with_the_reason_on_stderr(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text((REPO / "policies" / "smmatic.toml").read_text().replace('"Canceled"', '"Cancel"', 1))
    result = run(["--policy", str(path)], [json.dumps(make_case()) + "\n"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown status 'Cancel'" in result.stderr and "line " in result.stderr
    assert run(["--policy", "no-such-panel"], []).exit_code == 2


def test_empty_input_is_a_clean_run():
    result = run(["--policy", "smm-panel-bot"], [])
    assert result.exit_code == 0 and result.stdout == ""


def test_registers_on_a_flask_app_and_needs_no_app_context():
    app = Flask("bare")
    app.cli.add_command(policy_cli)
    result = app.test_cli_runner().invoke(
        args=["policy", "check", "--policy", "mysticsmm"], input=json.dumps(make_case()) + "\n")
    assert result.exit_code == 0
    assert out_lines(result)[0]["decision"] == "deny"


def test_real_process_with_real_pipes():
    code = "import sys; from app.cli.policy import policy_cli; policy_cli(sys.argv[1:])"
    cases = "".join(json.dumps(make_case(case=f"p{i}")) + "\n" for i in range(3)) + "oops\n"
    proc = subprocess.run([sys.executable, "-c", code, "check", "--policy", "smm-trust-panel"],
                          input=cases, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 1, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line.get("case") for line in lines] == ["p0", "p1", "p2", None]
    assert lines[3]["line"] == 4
