"""Quality benchmarks for the matcher: labelled pairs, metrics and the runnable report.

Lives outside ``src/`` because it is a development tool, not part of the installed package;
run it from the repository root with ``python -m bench.quality``.
"""
