"""Table-driven cases for every clause of every shipped policy (tests/policy/cases/<policy>.jsonl).

Each row gives a case (overrides of support.BASE_CASE, or a full `input`) and the expected decision,
amount and clauses. A second test checks that the rows together exercise every clause of the policy,
so a clause added to a policy file without a case fails the suite.
"""
from __future__ import annotations

import pytest

from app.policy import decide, list_policies, load_policy, parse_case
from tests.policy.support import row_input, table_rows

SHIPPED = ["mysticsmm", "smm-panel-bot", "smm-trust-panel", "smmatic"]
ROWS = [(name, row) for name in SHIPPED for row in table_rows(name)]


def test_every_seed_text_has_a_shipped_policy():
    assert sorted(list_policies()) == sorted(SHIPPED)


@pytest.mark.parametrize(("policy_name", "row"), ROWS, ids=[f"{p}:{r['id']}" for p, r in ROWS])
def test_table_case(policy_name, row):
    verdict = decide(parse_case(row_input(row)), load_policy(policy_name))
    got = verdict.to_json()
    expect = row["expect"]
    assert (got["decision"], got["amount"], got["clauses"]) == (
        expect["decision"], expect["amount"], expect["clauses"]
    ), f"row {row['_line']} matched rule {verdict.rule!r}: {got['explanation']}"
    assert got["case"] == row_input(row)["case"]
    assert got["explanation"] and "{" not in got["explanation"]


@pytest.mark.parametrize("policy_name", SHIPPED)
def test_tables_cover_every_clause(policy_name):
    policy = load_policy(policy_name)
    covered = set()
    for row in table_rows(policy_name):
        covered.update(row["expect"]["clauses"], row.get("covers", []))
    assert set(policy.clauses) - covered == set()


@pytest.mark.parametrize("policy_name", SHIPPED)
def test_every_rule_is_reached_by_some_row(policy_name):
    """A rule no table row reaches is either dead (shadowed by an earlier rule) or untested."""
    policy = load_policy(policy_name)
    reached = {decide(parse_case(row_input(r)), policy).rule.split(":")[0]
               for r in table_rows(policy_name)}
    every = {rule.id for v in policy.versions for rule in v.rules}
    assert every - reached == set()
