"""Reports of a screening run: CSV/JSON lines results, a self-contained HTML report, and the
terminal summary."""
