"""Procedure catalog, case files, signed index, representation, certificates (art. 20-31)."""
