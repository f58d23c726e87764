"""Pure decisions about a parsed email: is it automatic or a loop, and which ticket does it name.

Nothing here trusts the message: a ticket reference or a Message-ID only *proposes* a
ticket; services.py accepts it only when the sender is that ticket's customer.
"""
from __future__ import annotations

import re

from app.intake.parsing import ParsedEmail

SUBJECT_REF = re.compile(r"\[#(\d{1,10})\]")
_NO_AUTO_REPLY_SENDER = re.compile(r"^(mailer-daemon|postmaster|abuse|root|noreply|no-reply|do-not-reply|donotreply)(\+.*)?@")
_PRECEDENCE_AUTO = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_AUTH_FAIL = re.compile(r"\bdmarc=fail\b", re.IGNORECASE)
_SPF_FAIL = re.compile(r"\bspf=(fail|softfail)\b", re.IGNORECASE)
_DKIM_PASS = re.compile(r"\bdkim=pass\b", re.IGNORECASE)
_OOO_SUBJECT = re.compile(r"^(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|abwesenheitsnotiz)\b", re.I)


def subject_ticket_ids(subject: str) -> list[int]:
    return [int(n) for n in SUBJECT_REF.findall(subject or "")][:5]


def thread_message_ids(parsed: ParsedEmail) -> list[str]:
    """In-Reply-To first, then References newest first: the nearest ancestor wins."""
    seen: dict[str, None] = {}
    for value in parsed.in_reply_to + list(reversed(parsed.references)):
        seen.setdefault(value, None)
    return list(seen)


def _first(parsed: ParsedEmail, name: str) -> str:
    values = parsed.headers.get(name) or [""]
    return values[0].strip().lower()


def automatic_reason(parsed: ParsedEmail, own_addresses: set[str], own_domain: str) -> str | None:
    """Why this message must not become a ticket nor be answered (RFC 3834 and friends), or None."""
    own_domain = own_domain.lower()
    if parsed.sender in own_addresses:
        return "mail from one of our own addresses (loop)"
    if parsed.message_id and own_domain and parsed.message_id.lower().endswith("@" + own_domain + ">"):
        return "our own outgoing message came back (loop)"
    if "x-loop" in parsed.headers:
        return "X-Loop header (loop)"
    content_type = _first(parsed, "content-type")
    if parsed.is_report or "report-type=delivery-status" in content_type:
        return "delivery status notification (bounce)"
    if _NO_AUTO_REPLY_SENDER.match(parsed.sender) or _first(parsed, "return-path") == "<>":
        return "bounce or system sender"
    auto = _first(parsed, "auto-submitted")
    if auto and auto != "no":
        return f"automatic message (Auto-Submitted: {auto[:40]})"
    for name in ("precedence", "x-precedence"):
        if _first(parsed, name) in _PRECEDENCE_AUTO:
            return f"automatic message ({name}: {_first(parsed, name)})"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-ms-exchange-inbox-rules-loop"):
        if name in parsed.headers:
            return f"automatic message ({name} header)"
    if _first(parsed, "x-auto-response-suppress") in ("all", "oof", "autoreply"):
        return "automatic message (X-Auto-Response-Suppress)"
    if "autoresponder" in _first(parsed, "delivered-to"):
        return "automatic message (Delivered-To: autoresponder)"
    if "list-id" in parsed.headers or "list-unsubscribe" in parsed.headers:
        return "mailing-list mail"
    if _OOO_SUBJECT.match(parsed.subject or ""):
        return "out-of-office reply"
    return None


def spoofing_reason(parsed: ParsedEmail) -> str | None:
    """Our MTA's verdict on the sender (topmost Authentication-Results), when it is a clear failure."""
    results = (parsed.headers.get("authentication-results") or [""])[0]
    if not results:
        return None
    if _AUTH_FAIL.search(results) or (_SPF_FAIL.search(results) and not _DKIM_PASS.search(results)):
        return "sender authentication failed (Authentication-Results)"
    return None


# Kind and reason from the words a customer uses; the policy re-checks everything against the order.
_KIND_WORDS = (
    ("refill", re.compile(r"\brefill", re.I)),
    ("cancel", re.compile(r"\bcancel", re.I)),
    ("payment", re.compile(r"\b(payment|deposit|charged twice|double charge|top[- ]?up)\b", re.I)),
    ("refund", re.compile(r"\b(refund|money back|not (been )?delivered|never (started|delivered)|drop)", re.I)),
)
_REASON_WORDS = (
    ("duplicate_charge", r"charged twice|double charge|duplicate charge"),
    ("deposit_refund", r"deposit back|refund (my|the) deposit"),
    ("not_started", r"not (yet )?started|never started|didn'?t start|hasn'?t started"),
    ("partial_delivery", r"partial|only (got|received) (part|some)|half"),
    ("dropped", r"\bdrop(ped|s|ping)?\b"),
    ("not_delivered", r"not (been )?delivered|never (received|delivered)|didn'?t (receive|get)|nothing (arrived|delivered)"),
    ("slow_delivery", r"\bslow\b|taking (too )?long"),
    ("wrong_link", r"wrong link"),
    ("private_account", r"\bprivate\b"),
    ("changed_mind", r"changed my mind"),
)


def guess_kind_and_reason(subject: str, body: str) -> tuple[str, str]:
    text = f"{subject}\n{body[:5000]}"
    kind = next((k for k, pattern in _KIND_WORDS if pattern.search(text)), "other")
    reason = next((r for r, pattern in _REASON_WORDS if re.search(pattern, text, re.I)), "other")
    return kind, reason


def order_ids_in(text: str, pattern: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in re.finditer(pattern, text[:20000], re.IGNORECASE):
        seen.setdefault(match.group(0).upper(), None)
    return list(seen)[:20]
