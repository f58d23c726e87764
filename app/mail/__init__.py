"""Outbound email: agent replies and automatic notices, threaded back onto their ticket."""
