"""Telematic entry/exit registry and its receipts (art. 24, 33). Built by the registry issue."""
