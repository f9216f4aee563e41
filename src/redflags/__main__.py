"""`python -m redflags` runs the CLI (used by benchmarks and subprocess tests)."""

from redflags.cli import app

app()
