"""`flask policy check --policy NAME`: run the policy engine over JSON Lines cases.

Contract: shared/policy-contract.md. One verdict (or one `{"line": N, "error": ...}`) per input line,
in order, and nothing else on stdout, so outside tools can zip input and output line by line. Exit 0
when every line got a verdict, 1 when any line got an error, 2 when the policy cannot be loaded.
The command needs no app context: it touches no database, Redis or network.
"""
from __future__ import annotations

import json
import sys
from decimal import Decimal

import click
from flask.cli import AppGroup

from app.policy import CaseError, PolicyError, decide, load_policy, parse_case

policy_cli = AppGroup("policy", help="Test refund policies against cases, without the desk running.")


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in JSON")


def _verdict_line(text: str, policy) -> tuple[dict, bool]:
    """The output object for one input line, and whether it is a verdict (False: an error line)."""
    if not text.strip():
        return {"error": "empty line; expected one JSON object (a case) per line"}, False
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except ValueError as exc:
        return {"error": f"not valid JSON: {exc}"}, False
    try:
        case = parse_case(data)
    except CaseError as exc:
        return {"error": str(exc)}, False
    try:
        return decide(case, policy).to_json(), True
    except Exception as exc:  # noqa: BLE001 - the run must go on; this is an engine bug to report
        return {"error": f"internal error while deciding: {exc.__class__.__name__}: {exc}"}, False


@policy_cli.command("check", with_appcontext=False)
@click.option("--policy", "policy_name", required=True, metavar="NAME",
              help="A shipped policy name (e.g. mysticsmm) or the path to a policy file.")
def check(policy_name: str) -> None:
    """Read cases as JSON Lines on stdin and write one verdict per line to stdout."""
    try:
        policy = load_policy(policy_name)
    except PolicyError as exc:
        click.echo(f"policy check: cannot load policy: {exc}", err=True)
        raise SystemExit(2) from None
    # Bytes in and out, decoded and encoded as UTF-8 here, so the locale never changes the output.
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    failed = False
    for number, raw in enumerate(stdin, start=1):
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        result, ok = _verdict_line(text, policy)
        if not ok:
            failed = True
            result = {"line": number, **result}
        stdout.write((json.dumps(result, ensure_ascii=False) + "\n").encode("utf-8"))
        stdout.flush()
    raise SystemExit(1 if failed else 0)
