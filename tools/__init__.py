"""Maintenance tools for the course repository (run with ``python -m tools.<name>``)."""
