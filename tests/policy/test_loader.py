"""Loading policies: shipped files load, and a broken file is refused naming its line and problem."""
from __future__ import annotations

import pytest

from app.policy import PolicyError, list_policies, load_policy, parse_policy

GOOD = '''\
[policy]
name = "tiny"

[groups]
oops = ["wrong_link"]

[clauses."1"]
title = "Refunds"
text = "Partial orders are refunded pro rata."

[[versions]]
id = "v1"
effective = 2025-01-01

[[versions]]
id = "v2"
effective = "2026-01-01"

[fallback]
clauses = ["1"]
explain = "A person will look at it."

[[rules]]
id = "partial"
when = { status = "Partial", reason = "@oops" }
decision = "credit"
amount = "remains"
clauses = ["1"]
explain = "Credited {amount} {currency}."

[[rules]]
id = "completed"
versions = ["v2"]
when = { status = ["Completed"] }
decision = "deny"
clauses = ["1"]
explain = "Completed orders are final."
'''


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def test_the_good_file_loads():
    policy = parse_policy(GOOD)
    assert [v.id for v in policy.versions] == ["v1", "v2"]
    assert [r.id for r in policy.versions[0].rules] == ["partial"]
    assert [r.id for r in policy.versions[1].rules] == ["partial", "completed"]


@pytest.mark.parametrize("name", ["mysticsmm", "smm-panel-bot", "smm-trust-panel", "smmatic"])
def test_shipped_policies_load_with_clause_texts(name):
    policy = load_policy(name)
    assert policy.name == name and name in list_policies()
    for clause_id in policy.clauses:
        assert policy.clause_text(clause_id).strip()


def test_smm_panel_bot_shows_the_clause_text_of_the_version():
    policy = load_policy("smm-panel-bot")
    assert "Partial - the unfulfilled portion" in policy.clause_text("2")
    assert "Partial - the unfulfilled portion" not in policy.clause_text("2", version="2024-06")


def test_a_path_loads_too(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    assert load_policy(str(path)).name == "tiny"


# (what to change, what to change it to, a text on the line the error must name, words in the message)
CASES = [
    ('decision = "deny"', 'decision = "deny', 'decision = "deny', "TOML syntax error"),
    ('name = "tiny"', 'name = "tiny"\nname = "again"', 'name = "again"', "TOML syntax error"),
    ('status = ["Completed"]', 'status = ["Complete"]', '"Complete"', "unknown status 'Complete'"),
    ('decision = "deny"', 'decision = "refund"', 'decision = "refund"', "unknown decision 'refund'"),
    ('oops = ["wrong_link"]', 'oops = ["wrong_url"]', "wrong_url", "unknown reason 'wrong_url'"),
    ('reason = "@oops"', 'reason = "mistake"', '"mistake"', "unknown reason 'mistake'"),
    ('reason = "@oops"', 'reason = "@nope"', '"@nope"', "unknown reason group '@nope'"),
    ('clauses = ["1"]\nexplain = "Completed', 'clauses = ["3"]\nexplain = "Completed', 'clauses = ["3"]',
     "clause '3' does not exist"),
    ('effective = "2026-01-01"', 'effective = "2026-13-01"', "2026-13-01", "malformed effective date"),
    ('effective = "2026-01-01"', 'effective = "2024-01-01"', '"2024-01-01"', "must take effect after"),
    ('versions = ["v2"]', 'versions = ["v3"]', '"v3"', "version 'v3'"),
    ('when = { status = ["Completed"] }', 'when = { statuss = ["Completed"] }', "statuss",
     "unknown condition 'statuss'"),
    ('amount = "remains"', 'amount = "half"', '"half"', "needs amount = one of"),
    ('clauses = ["1"]\nexplain = "Completed', 'clauses = []\nexplain = "Completed', 'decision = "deny"',
     "denies without citing a clause"),
    ('"Credited {amount} {currency}."', '"Credited {amout}."', "{amout}", "unknown placeholder '{amout}'"),
    ('decision = "deny"', 'decison = "deny"', "decison", "unknown key 'decison'"),
    ('id = "completed"', 'id = "partial"', 'id = "partial"', "used twice"),
    ('id = "v2"', 'id = "v1"', 'id = "v1"', "version id 'v1' is used twice"),
    ('effective = 2025-01-01', 'effective = 2025-01-01\nclause_texts = { "9" = "x" }', "clause_texts",
     "overrides clause '9'"),
    ('decision = "deny"', 'decision = "deny"\namount = "full"', 'amount = "full"', "must not set amount"),
    ('effective = 2025-01-01', 'effective = "soon"', '"soon"', "malformed effective date 'soon'"),
]


@pytest.mark.parametrize(("old", "new", "on_line", "words"), CASES, ids=[c[3] for c in CASES])
def test_a_mistake_names_its_line_and_problem(old, new, on_line, words):
    text = broken(old, new)
    with pytest.raises(PolicyError) as info:
        parse_policy(text, source="mine.toml")
    # The line the error names: the first line holding `on_line` (the last one for a duplicate id).
    hits = [n for n, line in enumerate(text.splitlines(), 1) if on_line in line]
    expected_line = hits[-1] if "used twice" in words else hits[0]
    assert words in str(info.value)
    assert info.value.line == expected_line, str(info.value)
    assert str(info.value).startswith(f"mine.toml, line {expected_line}: ")


def test_missing_parts_are_named():
    with pytest.raises(PolicyError, match=rf"line {line_of(GOOD, '[fallback]')}: unknown top-level key 'fallbak'"):
        parse_policy(GOOD.replace("[fallback]", "[fallbak]"))
    with pytest.raises(PolicyError, match=r"needs a \[fallback\] table"):
        parse_policy(GOOD.replace('[fallback]\nclauses = ["1"]\nexplain = "A person will look at it."', ""))
    with pytest.raises(PolicyError, match="at least one \\[\\[rules\\]\\]"):
        parse_policy(GOOD.split("[[rules]]")[0])


def test_unknown_name_and_missing_file():
    with pytest.raises(PolicyError, match="no shipped policy named 'nope'; shipped: mysticsmm"):
        load_policy("nope")
    with pytest.raises(PolicyError, match="no policy file at"):
        load_policy("/nonexistent/dir/policy.toml")
    with pytest.raises(PolicyError, match="no policy file at"):
        load_policy("../policies/mysticsmm")  # names never walk the file system
