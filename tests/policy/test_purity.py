"""app.policy is pure: stdlib only, so the engine runs anywhere (CLI, worker, tests) without the desk.

Importing app.policy runs the parent package app/__init__.py, which builds the Flask app factory and
so loads Flask; the subprocess below therefore stands in an empty `app` package to import
app.policy on its own. A static check of every import statement backs it up.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

POLICY_DIR = Path(__file__).resolve().parents[2] / "app" / "policy"
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "redis", "rq", "requests", "werkzeug", "click")

PROBE = f"""
import json, sys, types
pkg = types.ModuleType("app"); pkg.__path__ = [{str(POLICY_DIR.parent)!r}]
sys.modules["app"] = pkg
import app.policy
p = app.policy.load_policy("mysticsmm")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})))
"""


def test_importing_app_policy_loads_no_framework_module():
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.parametrize("path", sorted(POLICY_DIR.glob("*.py")), ids=lambda p: p.name)
def test_every_import_is_stdlib_or_app_policy(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or top == "__future__" or name.startswith("app.policy"), \
                f"{path.name} imports {name}"
