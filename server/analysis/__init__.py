"""The analysis layer: the file context checks run over and the shared analyses they declare.

Scopes, ownership, channels, resources, provenance, and the program model
(control flow, types, summaries) over tree-sitter-go nodes. Nothing here
speaks LSP or knows the command line; the driver computes and caches.
"""
