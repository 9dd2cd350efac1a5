"""pyHanko's synchronous API runs ``asyncio.run`` inside; that fails on a thread that already runs
an event loop (an async view, ASGI, a test driving a browser). Such callers get a helper thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="pyhanko")


def off_event_loop(function: Callable[[], T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    return _executor.submit(function).result()
