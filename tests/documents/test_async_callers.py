from __future__ import annotations

import asyncio

import pytest

from documents import rendering, sealing

pytestmark = pytest.mark.django_db


def test_sealing_works_from_a_thread_that_runs_an_event_loop() -> None:
    pdf = rendering.html_to_pdf("<p>async</p>")

    async def seal_inside_a_loop() -> bytes:
        # Called directly on the loop's thread, as an async view calling sync code carelessly.
        return sealing.seal_pdf(pdf, reason="r", location="l")

    sealed = asyncio.run(seal_inside_a_loop())
    assert sealed.startswith(pdf[:8]) and len(sealed) > len(pdf)
