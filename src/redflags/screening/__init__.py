"""Screening: one query, a file of rows, or a stream, against the loaded lists."""
