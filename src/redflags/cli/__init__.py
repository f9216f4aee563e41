"""The `redflags` command: thin wrappers that parse arguments and call the modules."""

from redflags.cli.app import app

__all__ = ["app"]
