"""Stored quarterly report results (see reports/ for the computation)."""
