"""A loaded policy: clauses, dated versions and their rules. Built only by the loader."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.policy.rules import Rule


@dataclass(frozen=True)
class Clause:
    """One clause as the panel's text numbers or names it, with a short quote the desk can show."""

    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Fallback:
    """What the policy says when none of its rules covers a case (always a review)."""

    clauses: tuple[str, ...]
    explain: str


@dataclass(frozen=True)
class PolicyVersion:
    """The policy as it stood from `effective` (UTC midnight) until the next version."""

    id: str
    effective: datetime
    note: str
    rules: tuple[Rule, ...]
    clause_texts: dict[str, str] = field(default_factory=dict)  # clause id -> text in this version


@dataclass(frozen=True)
class Policy:
    name: str
    title: str
    source: str
    clauses: dict[str, Clause]
    versions: tuple[PolicyVersion, ...]  # oldest first
    fallback: Fallback

    def version_for(self, placed_at: datetime) -> PolicyVersion | None:
        """The version in force when the order was placed (smm-panel-bot §8: changes apply to orders
        placed after the effective date). None when the order predates every known version: we do not
        know which text applied, so the engine sends it to a person."""
        chosen = None
        for version in self.versions:
            if version.effective <= placed_at:
                chosen = version
        return chosen

    @property
    def latest(self) -> PolicyVersion:
        return self.versions[-1]

    def clause_text(self, clause_id: str, version: str | None = None) -> str:
        """The clause's text as of `version` (default: the latest), prefixed by its title.

        Raises KeyError for a clause the policy does not have, since the desk only asks about clause ids
        that came out of a verdict of this policy.
        """
        clause = self.clauses[clause_id]
        chosen = self.latest
        for v in self.versions:
            if v.id == version:
                chosen = v
        text = chosen.clause_texts.get(clause_id, clause.text)
        return f"{clause.title}: {text}" if clause.title else text
