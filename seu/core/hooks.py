"""Hooks: how a lower app lets a higher one react without importing it (DESIGN "Apps and the
direction of their imports").

The lower app declares a ``Hook`` and fires it inside the transaction of the fact; the higher app
registers its listener once, in its ``AppConfig.ready``. A listener runs in the caller's
transaction, so what it writes commits or rolls back with the fact, and an error in it fails the
fact: a listener that may fail on its own must queue its work instead (``seu.core.outbox``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    """A named list of listeners, called in the order they registered."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Callable[..., Any]] = []

    def register(self, listener: Callable[..., Any]) -> Callable[..., Any]:
        """Add ``listener`` (once: registering it again changes nothing). Usable as decorator."""
        if listener not in self._listeners:
            self._listeners.append(listener)
        return listener

    def unregister(self, listener: Callable[..., Any]) -> None:
        """Remove ``listener`` (a test's); nothing happens if it was not registered."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def fire(self, **kwargs: Any) -> None:
        for listener in list(self._listeners):
            listener(**kwargs)

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {len(self._listeners)} listeners)"
