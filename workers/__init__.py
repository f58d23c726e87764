"""RQ jobs. Jobs take IDs, open one database session each, and call the same services as the web."""
