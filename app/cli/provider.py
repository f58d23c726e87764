"""``flask provider serve``: run the demo SMM provider; ``flask provider faults``: switch its faults.

Registered by the app factory with ``app.cli.add_command(provider_cli)``. The
commands do not need the desk's app context (the demo provider is a separate
Flask app on purpose), so they work even before the desk's database exists.
"""
from __future__ import annotations

import json

import click
import requests
from flask.cli import AppGroup

provider_cli = AppGroup("provider", help="Demo SMM API v2 provider.")


@provider_cli.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (keep it loopback).")
@click.option("--port", default=18765, show_default=True, type=int, help="Port (0 = any free port).")
@click.option("--key", required=True, envvar="DEMO_PROVIDER_KEY", help="API key clients must send.")
@click.option("--seed", default=7, show_default=True, type=int, help="Seed of the demo world.")
@click.option("--count", default=200, show_default=True, type=int, help="Number of demo-world orders.")
@click.option("--speed", default=1.0, show_default=True, type=float,
              help="Time compression: 60 makes one real second a virtual minute.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False), default=None,
              help="JSON file to load the state from and save it to.")
@click.option("--slow", type=float, default=0.0, help="Fault: wait this many seconds before answering.")
@click.option("--fail-500", is_flag=True, help="Fault: answer every API call with HTTP 500.")
@click.option("--malformed-json", is_flag=True, help="Fault: answer truncated JSON.")
@click.option("--drop-connections", is_flag=True, help="Fault: close connections without an answer.")
@click.option("--incorrect-order-id", is_flag=True, help="Fault: every order is unknown.")
@click.option("--dialect", multiple=True, type=click.Choice(["cancelled_spelling", "numbers", "bare_item_errors"]),
              help="Answer in a provider variant (repeatable).")
def serve(host: str, port: int, key: str, seed: int, count: int, speed: float, state_path: str | None,
          slow: float, fail_500: bool, malformed_json: bool, drop_connections: bool,
          incorrect_order_id: bool, dialect: tuple[str, ...]) -> None:
    """Serve the demo provider until interrupted (Ctrl-C)."""
    from app.providers.demo_server import create_demo_provider, make_demo_server

    faults = {"delay": slow, "http_500": fail_500, "malformed_json": malformed_json,
              "drop_connection": drop_connections, "incorrect_order_id": incorrect_order_id,
              **{name: True for name in dialect}}
    app = create_demo_provider(key, seed=seed, count=count, speed=speed, state_path=state_path, faults=faults)
    server = make_demo_server(app, host, port)
    click.echo(f"Demo provider on http://{server.host}:{server.port}/api/v2 (seed {seed}, speed {speed:g})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        provider = app.extensions["demo_provider"]
        provider.stopping.set()
        server.server_close()
        provider.persist()


@provider_cli.command("faults", with_appcontext=False)
@click.option("--url", default="http://127.0.0.1:18765", show_default=True, help="Demo provider base URL.")
@click.option("--key", required=True, envvar="DEMO_PROVIDER_KEY", help="The demo provider's key.")
@click.option("--clear", is_flag=True, help="Reset all faults first.")
@click.argument("settings", nargs=-1)
def faults(url: str, key: str, clear: bool, settings: tuple[str, ...]) -> None:
    """Switch faults of a running demo provider, e.g. ``delay=5 http_500=true actions=status``."""
    body: dict = {"clear": clear}
    for item in settings:
        name, _, value = item.partition("=")
        body[name] = _parse_value(name, value)
    resp = requests.post(f"{url.rstrip('/')}/_control/faults", json=body,
                         headers={"X-Demo-Key": key}, timeout=10)
    click.echo(json.dumps(resp.json(), sort_keys=True))
    if resp.status_code != 200:
        raise click.exceptions.Exit(1)


def _parse_value(name: str, value: str) -> object:
    """``true``/``false``, numbers, and comma lists for ``actions`` and ``incorrect_order_id``."""
    low = value.strip().lower()
    if low in {"true", "yes", "on", ""}:
        return True
    if low in {"false", "no", "off"}:
        return False
    if low in {"none", "null"}:
        return None
    if name == "actions":
        return [part.strip() for part in value.split(",") if part.strip()]
    if name == "incorrect_order_id":
        return [int(part) for part in value.split(",") if part.strip()]
    return float(value) if "." in value else int(value)
