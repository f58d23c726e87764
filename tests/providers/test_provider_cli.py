"""``provider serve`` runs a real server process; ``provider faults`` switches its faults from outside."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli.provider import provider_cli
from app.providers.client import SmmV2Client
from app.providers.demo_world import demo_orders
from app.providers.errors import ProviderUnavailable

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(tmp_path, demo_key):
    """``provider serve`` in its own process on a free port; stopped with Ctrl-C (SIGINT)."""
    state = tmp_path / "state.json"
    code = ("import sys; from app.cli.provider import provider_cli; "
            "provider_cli(sys.argv[1:], prog_name='provider')")
    proc = subprocess.Popen(
        [sys.executable, "-u", "-c", code, "serve", "--port", "0", "--key", demo_key,
         "--speed", "60", "--state", str(state), "--dialect", "cancelled_spelling"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Demo provider on http://127.0.0.1:"), line
        yield line.split()[3], state, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=10)
        proc.stdout.close()


def test_serve_and_switch_faults_from_another_process(served, demo_key):
    url, state, proc = served
    base = url.rsplit("/api/v2", 1)[0]
    with SmmV2Client(url, demo_key, timeout=5) as c:
        assert c.balance().currency == "USD"
        order = c.add(101, "https://www.instagram.com/cli/", 100)
        runner = CliRunner()
        result = runner.invoke(provider_cli, ["faults", "--url", base, "--key", demo_key,
                                              "http_500=true", "actions=balance"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["actions"] == ["balance"]
        with pytest.raises(ProviderUnavailable):
            c.balance()
        assert c.status(order).status == "Pending"
        canceled = next(o["order"] for o in demo_orders() if o["status"] == "Canceled")
        assert c.status(canceled).raw_status == "Cancelled"  # --dialect cancelled_spelling
        result = runner.invoke(provider_cli, ["faults", "--url", base, "--key", demo_key, "--clear"])
        assert json.loads(result.output)["http_500"] is False
        assert c.balance().currency == "USD"
    denied = CliRunner().invoke(provider_cli, ["faults", "--url", base, "--key", "wrong", "delay=1"])
    assert denied.exit_code == 1
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) in (0, 1)
    saved = json.loads(state.read_text())
    assert any(o["order"] == order for o in saved["orders"])


def test_serve_help_lists_the_options():
    result = CliRunner().invoke(provider_cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--key", "--seed", "--speed", "--state", "--slow", "--drop-connections"):
        assert option in result.output


def test_serve_requires_a_key(monkeypatch):
    monkeypatch.delenv("DEMO_PROVIDER_KEY", raising=False)
    result = CliRunner().invoke(provider_cli, ["serve", "--port", "0"])
    assert result.exit_code != 0 and "--key" in result.output
