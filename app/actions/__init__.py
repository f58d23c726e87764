"""The outbox: units of work an approval creates, executed exactly once by workers."""
