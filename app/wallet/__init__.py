"""Customer wallets: an append-only ledger whose balance is the sum of its entries."""
