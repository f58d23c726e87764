"""Screenshots and files: recognised by content, re-encoded, stored under random names."""
