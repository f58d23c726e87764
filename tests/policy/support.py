"""Helpers for the policy tests: a complete base case that table rows override, and the case tables."""
from __future__ import annotations

import copy
import json
from pathlib import Path

CASES_DIR = Path(__file__).parent / "cases"

# A well-formed case: a Completed 500-unit order charged 3.00, decided a few days later.
BASE_CASE = {
    "case": "t",
    "now": "2026-05-02T09:00:00Z",
    "kind": "refund",
    "reason": "other",
    "customer": {"suspended": False, "chargeback": False},
    "order": {
        "id": "SMM100", "status": "Completed", "charge": "3.00", "currency": "USD",
        "quantity": 500, "remains": 0, "start_count": 10,
        "created_at": "2026-04-28T09:00:00Z", "status_changed_at": "2026-04-29T09:00:00Z",
        "refunded": "0.00", "link": "https://instagram.com/p/x", "overlapping_orders": 0,
        "service": {"refill": False, "refill_days": 0, "cancel": False},
    },
}


def merge(base: dict, overrides: dict) -> dict:
    """Deep-merge `overrides` into a copy of `base`; a None value replaces (e.g. "order": null)."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def make_case(**overrides) -> dict:
    return merge(BASE_CASE, overrides)


def table_rows(policy: str) -> list[dict]:
    """Rows of tests/policy/cases/<policy>.jsonl; a row may carry a full `input` instead of `case`."""
    rows = []
    for n, line in enumerate((CASES_DIR / f"{policy}.jsonl").read_text().splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("//"):
            row = json.loads(line)
            row["_line"] = n
            rows.append(row)
    return rows


def row_input(row: dict) -> dict:
    data = row["input"] if "input" in row else make_case(**row.get("case", {}))
    data.setdefault("case", row["id"])
    if "input" not in row:
        data["case"] = row["id"]
    return data
