"""The vocabulary every layer shares: findings, the check spec, positions, settings.

Nothing here reads Go or speaks LSP; every other layer may import it.
"""
