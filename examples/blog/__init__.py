"""Piston's blog example, ported: see app.py."""
