"""A believable demo panel, built from the same demo world the demo provider serves."""
