"""Refund intelligence: refund-rate, ticket and money dashboards, and abuse signals on tickets.

Everything here reads; the only writes are the screenshot hashes and matches recorded when a file is attached.
"""
