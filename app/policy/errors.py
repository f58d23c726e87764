"""The two ways the policy engine refuses input.

They are separate because they have separate audiences: a `PolicyError` is for the panel owner who
wrote a policy file (it names the file and line), a `CaseError` is for whoever sent a case (the CLI
turns it into an error line, the JSON API into a 400).
"""
from __future__ import annotations


class PolicyError(Exception):
    """A policy file cannot be used: a syntax error, or a rule that says something the engine does not know.

    `line` is the 1-based line in the file when it is known, so tools can point an editor at it.
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.source = source
        self.line = line
        self.problem = message
        where = ", ".join(p for p in (source, f"line {line}" if line else None) if p)
        super().__init__(f"{where}: {message}" if where else message)


class CaseError(ValueError):
    """A case breaks the schema of the policy contract; the message says what is wrong, in words."""
