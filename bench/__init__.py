"""Plumber benchmark (python -m bench)."""
