"""Money arithmetic for verdicts: the one place amounts are computed, capped and quantised.

Rule (documented for panel owners and the desk): an amount is computed exactly with Decimal, capped at
`charge - refunded`, then cut (ROUND_DOWN) to 5 decimal places — the precision providers quote charges
in (e.g. "0.27819") and the desk stores (Numeric(18, 5)) — and written with trailing zeros trimmed but
at least 2 decimals ("0.60", "0.27819"). Cutting down after capping means rounding can never push a
credit above what is left to refund.
"""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, localcontext

STEP = Decimal("0.00001")
ZERO = Decimal("0")


def refundable_left(charge: Decimal, refunded: Decimal) -> Decimal:
    """What may still be credited for an order; never negative even if the data is inconsistent."""
    return max(ZERO, charge - refunded)


def pro_rata(charge: Decimal, quantity: int, remains: int) -> Decimal:
    """The charge for the undelivered units: charge × remains ÷ quantity.

    `remains` is clamped to [0, quantity] as every open-source panel does: negative remains means
    over-delivery (nothing owed), remains above quantity is a provider glitch and cannot owe more than
    the whole charge.
    """
    if quantity <= 0:
        return ZERO
    units = min(max(remains, 0), quantity)
    with localcontext() as ctx:
        ctx.prec = 50
        return charge * units / quantity


def settle(due: Decimal, charge: Decimal, refunded: Decimal) -> Decimal:
    """The credit for `due` (what the order is owed in total) after earlier refunds, capped and quantised."""
    owed = min(due, charge) - refunded
    capped = min(max(owed, ZERO), refundable_left(charge, refunded))
    return normalise(capped.quantize(STEP, rounding=ROUND_DOWN))


def normalise(amount: Decimal) -> Decimal:
    """Trailing zeros trimmed but at least two decimals, so str(amount) is the contract's string."""
    text = format(amount.normalize(), "f")
    whole, _, frac = text.partition(".")
    return Decimal(f"{whole}.{frac.ljust(2, '0')}")


def format_amount(amount: Decimal | None) -> str | None:
    """The verdict's decimal string, or None for decisions that move no money."""
    return None if amount is None else str(normalise(amount))
