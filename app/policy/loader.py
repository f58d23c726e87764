"""Read a policy file (TOML) into a Policy, refusing any mistake with the line it is on.

Policies are data so that a panel owner can write one by copying a shipped file; the price of that is
that the loader must catch every mistake up front. A policy that loads is one the engine can apply to
any case without surprises, so every check that can run here runs here, not at decision time.
"""
from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from app.policy.errors import PolicyError
from app.policy.locate import Locator
from app.policy.model import Clause, Fallback, Policy, PolicyVersion
from app.policy.rules import AMOUNTS, Rule, RuleValueError, check_template, parse_condition
from app.policy.vocab import DECISIONS, MONEY_DECISIONS, REASONS

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "policies"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TOP_KEYS = {"policy", "groups", "clauses", "versions", "fallback", "rules"}
_RULE_KEYS = {"id", "when", "decision", "amount", "clauses", "explain", "versions"}


def list_policies() -> list[str]:
    """Names of the policies shipped in the repository's policies/ folder."""
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.toml"))


def load_policy(name_or_path: str | Path) -> Policy:
    """A shipped policy by name (`mysticsmm`) or any policy file by path; PolicyError if unusable."""
    path = _resolve(str(name_or_path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"cannot read the policy file: {exc}", source=str(path)) from None
    return parse_policy(text, source=str(path))


def _resolve(name: str) -> Path:
    if _NAME.fullmatch(name) and not Path(name).is_file():
        path = SHIPPED_DIR / f"{name}.toml"
        if not path.is_file():
            raise PolicyError(f"no shipped policy named '{name}'; shipped: {', '.join(list_policies())}")
        return path
    path = Path(name)
    if not path.is_file():
        raise PolicyError(f"no policy file at '{name}'")
    return path


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse and check a policy's source text (also used by tests and a future admin upload)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        line = int(match.group(1)) if match else None
        column = f" (column {match.group(2)})" if match else ""
        raise PolicyError(f"TOML syntax error: {message}{column}", source=source, line=line) from None
    return _Builder(data, Locator(text), source).build()


class _Builder:
    """Turns parsed TOML into a Policy; `fail` points errors at the line of the offending text."""

    def __init__(self, data: dict, loc: Locator, source: str):
        self.data, self.loc, self.source = data, loc, source

    def fail(self, message: str, table: str | None = None, index: int = 0,
             key: str | None = None, token: str | None = None):
        line = self.loc.line_of(table, index, key, token)
        raise PolicyError(message, source=self.source, line=line)

    def table(self, key: str) -> dict:
        value = self.data.get(key)
        if not isinstance(value, dict):
            self.fail(f"the file needs a [{key}] table", key=key)
        return value

    def text(self, value: Any, what: str, table: str | None, index: int = 0, key: str = "") -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{what} must be a non-empty string", table, index, key=key)
        return value.strip()

    def build(self) -> Policy:
        for key in self.data:
            if key not in _TOP_KEYS:
                self.fail(f"unknown top-level key '{key}'; expected: {', '.join(sorted(_TOP_KEYS))}",
                          "*", key=key, token=f"[{key}")
        head = self.table("policy")
        for key in set(head) - {"name", "title"}:
            self.fail(f"[policy] has unknown key '{key}'; expected: name, title", "policy", key=key)
        name = self.text(head.get("name"), "[policy] name", "policy", key="name")
        self.groups = self.build_groups()
        self.clauses = self.build_clauses()
        versions = self.build_versions()
        self.version_ids = {v["id"] for v in versions}
        rules = self.build_rules()
        return Policy(
            name=name, title=str(head.get("title", name)), source=self.source, clauses=self.clauses,
            versions=tuple(self.finish_version(v, rules) for v in versions),
            fallback=self.build_fallback(),
        )

    def build_groups(self) -> dict[str, frozenset]:
        groups = {}
        for name, words in self.data.get("groups", {}).items():
            if not isinstance(words, list) or not words:
                self.fail(f"group '{name}' must be a non-empty list of reasons", "groups", key=name)
            for word in words:
                if word not in REASONS:
                    self.fail(f"unknown reason '{word}' in group '{name}'; known: {', '.join(REASONS)}",
                              "groups", key=name, token=str(word))
            groups[name] = frozenset(words)
        return groups

    def build_clauses(self) -> dict[str, Clause]:
        raw = self.table("clauses")
        if not raw:
            self.fail("[clauses] is empty; every rule must cite the clause it rests on", "clauses")
        out = {}
        for cid, body in raw.items():
            where = f'clauses."{cid}"'
            if not isinstance(body, dict):
                self.fail(f"clause '{cid}' must be a table with title and text", "clauses", key=cid)
            extra = set(body) - {"title", "text"}
            if extra:
                self.fail(f"clause '{cid}' has unknown key '{sorted(extra)[0]}'", where, key=sorted(extra)[0])
            out[cid] = Clause(cid, str(body.get("title", "")).strip(),
                              self.text(body.get("text"), f"clause '{cid}' text", where, key="text"))
        return out

    def build_versions(self) -> list[dict]:
        raw = self.data.get("versions")
        if not isinstance(raw, list) or not raw:
            self.fail("the file needs at least one [[versions]] entry with id and effective date")
        versions: list[dict] = []
        for i, v in enumerate(raw):
            versions.append(self.build_version(v, i, versions))
        return versions

    def build_version(self, v: dict, i: int, earlier: list[dict]) -> dict:
        vid = self.text(v.get("id"), "version id", "versions", i, key="id")
        extra = set(v) - {"id", "effective", "note", "clause_texts"}
        if extra:
            self.fail(f"version '{vid}' has unknown key '{sorted(extra)[0]}'", "versions", i,
                      key=sorted(extra)[0])
        if any(p["id"] == vid for p in earlier):
            self.fail(f"version id '{vid}' is used twice", "versions", i, key="id")
        effective = self.effective(v.get("effective"), vid, i)
        if earlier and effective <= earlier[-1]["effective"]:
            self.fail(f"version '{vid}' must take effect after '{earlier[-1]['id']}' "
                      "(list versions oldest first)", "versions", i, key="effective")
        return {"id": vid, "effective": effective, "note": str(v.get("note", "")),
                "clause_texts": self.clause_texts(v.get("clause_texts", {}), vid, i)}

    def clause_texts(self, texts: Any, vid: str, i: int) -> dict[str, str]:
        if not isinstance(texts, dict) or not all(isinstance(t, str) for t in texts.values()):
            self.fail(f"version '{vid}': clause_texts must map clause ids to text", "versions", i,
                      key="clause_texts")
        for cid in texts:
            if cid not in self.clauses:
                self.fail(f"version '{vid}' overrides clause '{cid}', which is not in [clauses]",
                          "versions", i, token=cid)
        return dict(texts)

    def effective(self, value: Any, vid: str, index: int) -> datetime:
        """Effective dates are TOML dates (2026-01-15) or date strings; they start at UTC midnight."""
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                self.fail(f"version '{vid}' has a malformed effective date '{value}'; "
                          "write it as YYYY-MM-DD", "versions", index, key="effective")
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
        self.fail(f"version '{vid}' needs an effective date written YYYY-MM-DD", "versions", index,
                  key="effective")

    def cited(self, value: Any, table: str, index: int) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            self.fail("clauses must be a list of clause ids (strings)", table, index, key="clauses")
        for cid in value:
            if cid not in self.clauses:
                self.fail(f"clause '{cid}' does not exist; the policy has: {', '.join(self.clauses)}",
                          table, index, key="clauses", token=cid)
        return tuple(value)

    def template(self, value: Any, table: str, index: int) -> str:
        text = self.text(value, "explain", table, index, key="explain")
        try:
            check_template(text)
        except RuleValueError as exc:
            self.fail(str(exc), table, index, key="explain", token=exc.token)
        return " ".join(text.split())

    def build_fallback(self) -> Fallback:
        raw = self.table("fallback")
        return Fallback(self.cited(raw.get("clauses", []), "fallback", 0),
                        self.template(raw.get("explain"), "fallback", 0))

    def build_rules(self) -> list[Rule]:
        raw = self.data.get("rules")
        if not isinstance(raw, list) or not raw:
            self.fail("the file needs at least one [[rules]] entry")
        rules: list[Rule] = []
        for i, r in enumerate(raw):
            rule = self.build_rule(r, i)
            if any(p.id == rule.id for p in rules):
                self.fail(f"rule id '{rule.id}' is used twice", "rules", i, key="id")
            rules.append(rule)
        return rules

    def build_rule(self, r: dict, i: int) -> Rule:
        rid = self.text(r.get("id"), "rule id", "rules", i, key="id")
        for key in r:
            if key not in _RULE_KEYS:
                self.fail(f"rule '{rid}' has unknown key '{key}'; expected: {', '.join(sorted(_RULE_KEYS))}",
                          "rules", i, key=key)
        decision = r.get("decision")
        if decision not in DECISIONS:
            self.fail(f"rule '{rid}' has unknown decision '{decision}'; known: {', '.join(DECISIONS)}",
                      "rules", i, key="decision", token=str(decision))
        amount = self.amount(r.get("amount"), decision, rid, i)
        clauses = self.cited(r.get("clauses", []), "rules", i)
        if decision == "deny" and not clauses:
            self.fail(f"rule '{rid}' denies without citing a clause", "rules", i, key="decision")
        return Rule(rid, self.conditions(r.get("when", {}), rid, i), decision, amount, clauses,
                    self.template(r.get("explain"), "rules", i), self.rule_versions(r, rid, i))

    def amount(self, amount: Any, decision: str, rid: str, i: int) -> str | None:
        """Money decisions need an amount expression; the others must not carry one."""
        if decision in MONEY_DECISIONS and amount not in AMOUNTS:
            self.fail(f"rule '{rid}' ({decision}) needs amount = one of: {', '.join(AMOUNTS)}",
                      "rules", i, key="amount", token=str(amount) if amount else None)
        if decision not in MONEY_DECISIONS and amount is not None:
            self.fail(f"rule '{rid}' ({decision}) moves no money and must not set amount", "rules", i,
                      key="amount")
        return amount

    def conditions(self, when: Any, rid: str, i: int) -> tuple:
        if not isinstance(when, dict):
            self.fail(f"rule '{rid}': when must be a table of conditions", "rules", i, key="when")
        out = []
        for name, value in when.items():
            try:
                out.append(parse_condition(name, value, self.groups))
            except RuleValueError as exc:
                self.fail(f"rule '{rid}': {exc}", "rules", i, key=name, token=exc.token)
        return tuple(out)

    def rule_versions(self, r: dict, rid: str, i: int) -> frozenset | None:
        if "versions" not in r:
            return None
        ids = r["versions"]
        if not isinstance(ids, list) or not ids:
            self.fail(f"rule '{rid}': versions must be a non-empty list of version ids", "rules", i,
                      key="versions")
        for vid in ids:
            if vid not in self.version_ids:
                self.fail(f"rule '{rid}' names version '{vid}', which is not in [[versions]]", "rules", i,
                          key="versions", token=str(vid))
        return frozenset(ids)

    @staticmethod
    def finish_version(v: dict, rules: list[Rule]) -> PolicyVersion:
        own = tuple(r for r in rules if r.versions is None or v["id"] in r.versions)
        return PolicyVersion(v["id"], v["effective"], v["note"], own, v["clause_texts"])
