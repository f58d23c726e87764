"""Raw RFC 5322 bytes → a plain `ParsedEmail`. Pure: no app, no database, no network.

The standard library's modern policy (`email.policy.default`) does the decoding; around
it we add the limits a mail server facing the internet needs: header-block size, MIME
depth and part count caps (excess parts are dropped and counted, never recursed into),
strict sender syntax, and best-effort text with U+FFFD instead of exceptions. The caller
runs `parse_message` under a time limit (see `sandbox.py`), because some header shapes
still make the stdlib parser quadratic.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import nh3

# A header block beyond this is hostile (50k-entry address lists, 100k `;`).
MAX_HEADER_BYTES = 256 * 1024
_MSGID = re.compile(rb"^message-id:[ \t]*(<[^<>\r\n]{1,900}>)", re.IGNORECASE | re.MULTILINE)
_BLOCK_BREAK = re.compile(r"(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>")
_TEXT_TYPES = ("text/plain", "text/html")
# Classification headers copied out of the message, lower-cased.
KEPT_HEADERS = (
    "auto-submitted", "precedence", "x-precedence", "x-autoreply", "x-autorespond", "x-autoresponder",
    "x-loop", "x-auto-response-suppress", "delivered-to", "list-id", "list-unsubscribe", "return-path",
    "authentication-results", "x-ms-exchange-inbox-rules-loop", "content-type",
)


class ParseRejected(ValueError):
    """The message cannot be understood safely; the text is the quarantine reason."""


@dataclass(frozen=True)
class Limits:
    max_depth: int = 20
    max_parts: int = 200


@dataclass
class Part:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedEmail:
    message_id: str | None
    sender: str  # lower-cased addr-spec from a strict parse of the single From
    sender_name: str
    subject: str
    in_reply_to: list[str]
    references: list[str]
    text: str
    html: str | None  # sanitised with nh3; never the raw HTML
    attachments: list[Part] = field(default_factory=list)
    headers: dict[str, list[str]] = field(default_factory=dict)
    is_report: bool = False  # multipart/report or a message/delivery-status part (a DSN)
    dropped_parts: int = 0
    defects: int = 0


def header_message_id(raw: bytes) -> str | None:
    """The Message-ID read straight off the header block, without the parser (used for dedupe)."""
    head = raw[:MAX_HEADER_BYTES].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    match = _MSGID.search(head)
    return match.group(1).decode("ascii", "replace").strip() if match else None


def parse_message(raw: bytes, limits: Limits = Limits()) -> ParsedEmail:
    head_end = min(i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n"), len(raw)) if i >= 0)
    if head_end > MAX_HEADER_BYTES:
        raise ParseRejected("the header block is larger than 256 KB")
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    sender, sender_name = _sender(msg)
    walker = _Walker(limits)
    walker.walk(msg, 0)
    text = walker.text
    html = walker.html
    if not text.strip() and html:
        text = html_to_text(html)
    return ParsedEmail(
        message_id=_one_msgid(_header(msg, "message-id")),
        sender=sender,
        sender_name=sender_name,
        subject=_header(msg, "subject"),
        in_reply_to=_msgids(_header(msg, "in-reply-to")),
        references=_msgids(_header(msg, "references")),
        text=text,
        html=html,
        attachments=expand_tnef(walker.attachments),
        headers={name: [str(v) for v in msg.get_all(name, [])] for name in KEPT_HEADERS if name in msg},
        is_report=walker.is_report,
        dropped_parts=walker.dropped,
        defects=len(msg.defects),
    )


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header the modern policy cannot fold into an object
        value = msg.get_all(name, [""])[0] if hasattr(msg, "get_all") else ""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(value or "")).strip()


def _sender(msg: EmailMessage) -> tuple[str, str]:
    """Exactly one From with exactly one plain mailbox, or ParseRejected: identity never comes from a lenient parse."""
    values = msg.get_all("from") or []
    if len(values) != 1:
        raise ParseRejected("the message has no From header" if not values else "the message has several From headers")
    try:
        header = values[0]
        addresses = header.addresses
        defects = header.defects
    except Exception:
        raise ParseRejected("the From header cannot be parsed") from None
    groups = header.groups
    if len(addresses) != 1 or defects or len(groups) != 1 or groups[0].display_name is not None:
        raise ParseRejected("the From header is ambiguous")
    address = addresses[0]
    spec = (address.addr_spec or "").strip().lower()
    if spec.count("@") != 1 or not address.username or "." not in address.domain or any(c in spec for c in " <>()[],;:\"\\"):
        raise ParseRejected("the From address is not a plain mailbox")
    return spec, address.display_name or ""


def _msgids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]{1,900}>", value)[:50]


def _one_msgid(value: str) -> str | None:
    found = _msgids(value)
    return found[0] if found else None


class _Walker:
    """Depth-first over the MIME tree with depth and part caps; first text/plain and text/html win."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.parts = 0
        self.dropped = 0
        self.text = ""
        self.html: str | None = None
        self.attachments: list[Part] = []
        self.is_report = False

    def walk(self, part: EmailMessage, depth: int) -> None:
        self.parts += 1
        if self.parts > self.limits.max_parts or depth > self.limits.max_depth:
            self.dropped += 1
            return
        ctype = part.get_content_type()
        if ctype == "multipart/report" or ctype == "message/delivery-status":
            self.is_report = True
        if part.is_multipart():
            for child in part.iter_parts() if ctype.startswith("multipart/") else part.get_payload():
                self.walk(child, depth + 1)
            return
        filename = _filename(part)
        if ctype in _TEXT_TYPES and not filename and part.get_content_disposition() != "attachment":
            body = _text_of(part)
            if ctype == "text/plain" and not self.text:
                self.text = body
                return
            if ctype == "text/html" and self.html is None:
                self.html = sanitise_html(body)
                return
        data = _bytes_of(part)
        if data or filename:
            self.attachments.append(Part(filename or "attachment", ctype, data))


def _filename(part: EmailMessage) -> str:
    try:
        return part.get_filename() or ""
    except Exception:
        return ""


def _bytes_of(part: EmailMessage) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        payload = part.get_payload()
        payload = payload.encode("utf-8", "replace") if isinstance(payload, str) else b""
    return payload


def _text_of(part: EmailMessage) -> str:
    """Decoded text: the declared charset if Python knows it, else UTF-8, then Latin-1 as a last resort."""
    data = _bytes_of(part)
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


def sanitise_html(html: str) -> str:
    """nh3's allow-list: scripts, handlers, iframes, forms, meta, base and javascript: links all go."""
    return nh3.clean(html, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


def html_to_text(html: str) -> str:
    """Text of (already sanitised) HTML: tags dropped, entities decoded; Jinja escapes it on display."""
    import html as html_lib

    spaced = _BLOCK_BREAK.sub("\n", html)
    return html_lib.unescape(nh3.clean(spaced, tags=set())).strip()


def expand_tnef(parts: list[Part]) -> list[Part]:
    """Outlook's winmail.dat unpacked into its files; kept opaque when it cannot be decoded."""
    out = []
    for part in parts:
        if part.content_type != "application/ms-tnef" and part.filename.lower() != "winmail.dat":
            out.append(part)
            continue
        try:
            from tnefparse import TNEF

            inner = [Part(_tnef_name(a), "application/octet-stream", a.data) for a in TNEF(part.data).attachments]
        except Exception:
            inner = []
        out.extend(inner or [part])
    return out


def _tnef_name(attachment) -> str:
    name = attachment.long_filename() or attachment.name or b"attachment"
    return name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
