"""The HTTP API: yente-compatible matching over the loaded lists, with API keys."""
