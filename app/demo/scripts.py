"""The words of the demo panel: who works there, who buys, and what they write."""

STAFF = [
    ("admin@demo.test", "Ada Admin", "admin"),
    ("agent@demo.test", "Sam Agent", "agent"),
    ("agent2@demo.test", "Priya Support", "agent"),
]
CUSTOMERS = [
    ("customer@demo.test", "Casey Customer"),
    ("growth@demo.test", "Growth Studio"),
    ("reseller@demo.test", "Rex Reseller"),
]
CANNED_REPLIES = [
    ("Refund credited", "We have credited the undelivered part of your order to your balance. "
     "Thank you for your patience."),
    ("Refill requested", "We have asked our provider to refill your order. Refills usually "
     "complete within 24-72 hours."),
    ("Need screenshot", "Could you send a screenshot of the current count on the target page? "
     "It helps us check the drop with the provider."),
    ("Cannot cancel in progress", "Your order is already in progress with the provider, so it "
     "cannot be stopped any more. We will follow it until it completes."),
]
TICKET_SCRIPTS = [
    {"kind": "refund", "reason": "partial_delivery", "statuses": ("Partial",),
     "subject": "Only part of my order arrived",
     "body": "Order {order} stopped early. Please refund what was not delivered.",
     "agent_reply": "The provider marked it Partial; the undelivered part goes back to your balance."},
    {"kind": "refill", "reason": "dropped", "statuses": ("Completed",),
     "subject": "Followers dropped after a few days",
     "body": "My order {order} dropped by about 30%. It has a refill guarantee.",
     "agent_reply": "We have asked the provider for a refill of {order}."},
    {"kind": "cancel", "reason": "changed_mind", "statuses": ("Pending", "In progress"),
     "subject": "Please cancel my order",
     "body": "I ordered {order} by mistake, please cancel it.",
     "agent_reply": "We checked with the provider about cancelling your order."},
    {"kind": "refund", "reason": "not_started", "statuses": ("Pending", "Processing"),
     "subject": "Order has not started",
     "body": "Order {order} has not started for two days. Refund please.",
     "agent_reply": "We are checking the start with the provider."},
    {"kind": "refund", "reason": "wrong_link", "statuses": ("Completed", "In progress"),
     "subject": "I used the wrong link",
     "body": "I typed the wrong profile for {order}. Can I get my money back?",
     "agent_reply": "Orders sent to a wrong link cannot be refunded, sorry."},
    {"kind": "payment", "reason": "duplicate_charge", "statuses": ("Completed",),
     "subject": "Charged twice",
     "body": "I think I was charged twice around the time of {order}.",
     "agent_reply": "We are checking the payment logs."},
    {"kind": "refund", "reason": "not_delivered", "statuses": ("Canceled", "Failed"),
     "subject": "Order failed, where is my money?",
     "body": "Order {order} shows failed but my balance did not change.",
     "agent_reply": "Failed orders are credited in full; we have checked yours."},
]
