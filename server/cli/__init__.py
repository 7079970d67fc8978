"""The `plumber` command line: `check` (CI and the terminal), `profile` (run-time profiles), `serve` (editors)."""
