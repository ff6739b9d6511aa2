"""Adoption: what a trial led to, impact reports and the public outcomes register (issue 16)."""
