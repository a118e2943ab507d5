"""Data: the contract, loading and validation, the sample company (layer 1)."""
