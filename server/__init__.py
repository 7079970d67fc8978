"""Plumber: finds Go memory, resource and goroutine leaks while the code is typed."""

__version__ = "0.1.0"

PROJECT_URL = "https://github.com/plumber-lsp/plumber"
SOURCE = "plumber"
