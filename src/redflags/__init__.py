"""redflags: screening of organisations and listed persons against official lists."""

__version__ = "0.1.0"
