"""Deciding what a ticket needs: policy verdicts per order, and their approval."""
