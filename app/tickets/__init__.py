"""The ticket lifecycle: filing, conversation, assignment, status and SLA."""
