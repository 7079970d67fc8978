"""Plumber: finds Go memory, resource and goroutine leaks while the code is typed."""

__version__ = "0.1.0"

# Where each check's documentation page lives; a finding links to DOCS_URL + "<code>.md".
DOCS_URL = "https://github.com/plumber-lsp/plumber/blob/main/docs/checks/"
SOURCE = "plumber"
