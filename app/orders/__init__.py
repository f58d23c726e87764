"""Panel orders: what customers bought, and what the provider last said about it."""
