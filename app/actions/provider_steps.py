"""Refill and cancel steps: one provider call per step, its outcome recorded under a row lock.

Called by `execution.run` with the action already claimed (leased). The claim is
committed BEFORE any HTTP request, so no database lock is held while the provider
thinks, and a crash mid-call leaves `running` without a `provider_ref`: the next run
knows a send may have happened and reconciles instead of re-sending.
"""
from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from app.actions import execution as ex
from app.actions.models import Action, ActionKind, ActionState
from app.actions.services import schedule
from app.db import MONEY_PLACES
from app.extensions import db
from app.orders.polling import apply_snapshot, provider_client
from app.providers.errors import ProviderError, ProviderRejected, ProviderUnavailable
from app.providers.results import CancelResult, OrderStatus

log = logging.getLogger(__name__)

CANCEL_REQUESTED = "cancel-requested"
REFUNDABLE = ("Canceled", "Partial", "Refunded", "Failed")


def _not_sent(error: ProviderError) -> bool:
    """Only a refused connection or a 429 proves the request did not reach the provider."""
    return isinstance(error, ProviderUnavailable) and not error.outcome_unknown


def _begin_send(action: Action) -> int:
    action.state = ActionState.RUNNING.value
    action.attempts += 1
    db.session.commit()  # "about to call the provider" is on disk before the call
    return action.attempts


def _provider_order_id(action: Action) -> int | None:
    try:
        return int(action.order.provider_order_id)
    except (AttributeError, TypeError, ValueError):
        return None


# ------------------------------------------------------------------ refill
def refill(action: Action, now: datetime) -> str:
    if _provider_order_id(action) is None:
        return ex.mark(action, ActionState.NEEDS_REVIEW, "the order has no provider order id")
    if action.state == ActionState.QUEUED.value:
        return _send_refill(action)
    if action.provider_ref:
        return _follow_refill(action)
    return ex.mark(action, ActionState.NEEDS_REVIEW,
                   "a refill may have reached the provider (outcome unknown) and the API cannot list refills: "
                   "check with the provider, then Retry only if there is none")


def _send_refill(action: Action) -> str:
    action_id, order_id = action.id, _provider_order_id(action)
    client = provider_client(action.order)
    _begin_send(action)
    try:
        result = client.refill(order_id)
    except ProviderRejected as error:
        return ex.mark(ex.relock(action_id), ActionState.NEEDS_REVIEW, f"the provider refused: {error.message}")
    except ProviderError as error:
        action = ex.relock(action_id)
        if _not_sent(error):
            return ex.retry_later(action, f"not sent: {error}")
        return ex.mark(action, ActionState.NEEDS_REVIEW,
                       f"outcome unknown ({error}); check with the provider before any Retry")
    finally:
        client.close()
    ex.checkpoint("provider:after_call")
    action = ex.relock(action_id)
    if action.provider_ref and action.provider_ref != result.refill:
        log.error("action %s: provider gave a second refill id %s (had %s)", action_id, result.refill,
                  action.provider_ref)
    action.provider_ref = result.refill
    action.state = ActionState.RUNNING.value
    ex.queue_finish(action)  # tells the customer the refill was requested
    return ex.follow_later(action)


def _follow_refill(action: Action) -> str:
    action_id, refill_id = action.id, action.provider_ref
    db.session.commit()  # keep the lease, hold no lock during the call
    client = provider_client(action.order)
    try:
        status = client.refill_status(refill_id)
    except ProviderError as error:
        return ex.follow_later(ex.relock(action_id), f"refill_status failed: {error}")
    finally:
        client.close()
    action = ex.relock(action_id)
    if action.state != ActionState.RUNNING.value:
        return f"skipped:{action.state}"
    if status.status == "Completed":
        return ex.mark(action, ActionState.DONE)
    if status.status in ("Rejected", "Canceled", "Failed"):
        return ex.mark(action, ActionState.NEEDS_REVIEW, f"the provider answered the refill: {status.raw_status}")
    return ex.follow_later(action, f"refill {refill_id}: {status.raw_status or 'pending'}")


# ------------------------------------------------------------------ cancel
def cancel(action: Action, now: datetime) -> str:
    if _provider_order_id(action) is None:
        return ex.mark(action, ActionState.NEEDS_REVIEW, "the order has no provider order id")
    if action.state == ActionState.QUEUED.value:
        return _send_cancel(action)
    return _check_cancel(action)  # following up, or reconciling an unknown outcome: ask `status` first


def _send_cancel(action: Action) -> str:
    action_id, order_id = action.id, _provider_order_id(action)
    client = provider_client(action.order)
    _begin_send(action)
    try:
        answer = client.cancel([order_id]).get(order_id)
    except ProviderError as error:
        action = ex.relock(action_id)
        if _not_sent(error):
            return ex.retry_later(action, f"not sent: {error}")
        # stays running with no provider_ref: the next run asks `status` before anything else
        return ex.retry_later(action, f"outcome unknown: {error}", state=ActionState.RUNNING)
    finally:
        client.close()
    ex.checkpoint("provider:after_call")
    action = ex.relock(action_id)
    if isinstance(answer, CancelResult) and answer.accepted:
        action.provider_ref = CANCEL_REQUESTED
        return ex.follow_later(action, "cancel requested; waiting for the provider's status")
    refusal = getattr(answer, "error", None) or "cancel not accepted"
    action.last_error = f"the provider refused the cancel: {refusal}"
    db.session.commit()
    return _check_cancel(action, refused=refusal)


def _check_cancel(action: Action, refused: str | None = None) -> str:
    """Ask `status`: a final order settles the cancel; an active one is followed, or re-sent only
    when our earlier send's outcome was unknown (the order shows no cancellation, and ends once)."""
    action_id = action.id
    db.session.commit()
    client = provider_client(action.order)
    try:
        status = client.status(_provider_order_id(action))
    except ProviderError as error:
        action = ex.relock(action_id)
        if action.provider_ref:
            return ex.follow_later(action, f"status failed: {error}")
        return ex.retry_later(action, f"status failed: {error}", state=ActionState(action.state))
    finally:
        client.close()
    action = ex.relock(action_id)
    if action.state not in ex.ACTIVE_STATES:
        return f"skipped:{action.state}"
    if status.is_final:
        return settle_cancel(action, status)
    if refused:
        return ex.mark(action, ActionState.NEEDS_REVIEW, f"the provider refused the cancel: {refused}")
    if action.provider_ref:
        return ex.follow_later(action, f"cancel requested; order is {status.status}")
    if action.attempts >= ex.setting("ACTIONS_MAX_ATTEMPTS"):
        return ex.mark(action, ActionState.FAILED, f"gave up after {action.attempts} attempts: {action.last_error}")
    action.state = ActionState.QUEUED.value  # still active at the provider: no cancel happened yet
    db.session.flush()
    return _send_cancel(action)


def settle_cancel(action: Action, status: OrderStatus) -> str:
    """The order reached a final status: store the snapshot and queue the follow-up credit."""
    from app.triage.services import refresh_for_order

    order = action.order
    if apply_snapshot(order, status):
        refresh_for_order(order)  # other open tickets about this order see the new status
    if status.status not in REFUNDABLE:
        return ex.mark(action, ActionState.NEEDS_REVIEW,
                       f"the order ended {status.status} before the cancel took effect; nothing credited")
    amount = cancel_credit_amount(action, status)
    if amount > 0:
        credit = Action(
            approval_id=action.approval_id, ticket_id=action.ticket_id, order_id=order.id,
            customer_id=action.customer_id, kind=ActionKind.CREDIT.value, amount=amount,
            # the same cause as the ticket path and the refund poll: the ledger lets only one land
            cause=f"status:{status.status.lower()}", idempotency_key=f"action:{action.id}:credit",
        )
        db.session.add(credit)
        db.session.flush()
        schedule(credit)
    return ex.mark(action, ActionState.DONE, None if amount > 0 else "nothing left to credit")


def cancel_credit_amount(action: Action, status: OrderStatus) -> Decimal:
    """Full charge for Canceled/Refunded/Failed, the undelivered share for Partial; never above the
    approved amount nor what is left of the charge."""
    order = action.order
    if status.status == "Partial":
        remains = min(max(status.remains or 0, 0), order.quantity)
        amount = order.charge * remains / order.quantity
    else:
        amount = order.charge
    left = order.charge - order.refunded
    return max(Decimal("0"), ex.capped(amount, action.amount, left)).quantize(MONEY_PLACES)
