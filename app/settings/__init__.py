"""Desk settings an admin changes at run time (active policy, auto-approval limits), kept in the database."""
