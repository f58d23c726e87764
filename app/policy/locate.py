"""Find the line of a key or value in a policy file's source text.

tomllib reports line numbers for syntax errors only; for a semantic error (an unknown status, a clause
that does not exist) we look the offending text up in the source, inside the table it belongs to, so
the panel owner is sent to the right line rather than to "somewhere in rule 7".
"""
from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?([^\[\]]+)\]\]?\s*(#.*)?$")


def _norm(header: str) -> str:
    return re.sub(r"[\s\"']", "", header)


class Locator:
    def __init__(self, text: str):
        self.lines = text.splitlines()
        # (line number, normalised header) for every table header, in order
        self.headers = [(n, _norm(m.group(1))) for n, line in enumerate(self.lines, 1)
                        if (m := _HEADER.match(line))]

    def section(self, name: str | None, index: int = 0) -> tuple[int, int]:
        """First and last line of the `index`-th table called `name`.

        None means the part before any table; "*" means the whole file.
        """
        if name == "*":
            return 1, len(self.lines)
        if name is None:
            end = self.headers[0][0] - 1 if self.headers else len(self.lines)
            return 1, end
        starts = [pos for pos, (_, h) in enumerate(self.headers) if h == _norm(name)]
        if index >= len(starts):
            return 1, len(self.lines)
        pos = starts[index]
        first = self.headers[pos][0]
        prefix = _norm(name) + "."
        for line_no, header in self.headers[pos + 1:]:
            if not header.startswith(prefix):
                return first, line_no - 1
        return first, len(self.lines)

    def line_of(self, name: str | None, index: int = 0, key: str | None = None,
                token: str | None = None) -> int:
        """Best line for an error: the token's line, else the key's line, else the table header."""
        first, last = self.section(name, index)
        window = list(enumerate(self.lines[first - 1:last], first))
        if token:
            # Prefer the quoted value outside comments; fall back to any mention.
            for quoted in (f'"{token}"', f"'{token}'", token):
                for n, line in window:
                    if quoted in line.split(" #", 1)[0]:
                        return n
        if key:
            pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=|[{{,]\s*{re.escape(key)}\s*=")
            for n, line in window:
                if pattern.search(line):
                    return n
        return first
