"""HTML template -> PDF (WeasyPrint), or a fixed-layout sheet -> PDF (ReportLab, ``sheets``), with
limits: a time budget, a memory cap and a page cap.

WeasyPrint runs in a small pool of worker processes (``pdf_worker``) so that a runaway document can
be stopped: past ``PDF_RENDER_TIMEOUT_SECONDS`` the pool is killed and rebuilt, and each worker
lives under an address-space limit of ``PDF_RENDER_MEMORY_MB``.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from documents import pdf_worker
from documents.sheets import Sheet
from seu.errors import Unavailable

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


class RenderError(Unavailable):
    code = "render_failed"


def _static_roots() -> list[str]:
    roots: list[str] = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(str(location))
    return roots


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=settings.PDF_RENDER_WORKERS,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=pdf_worker.init_worker,
                initargs=(settings.PDF_RENDER_MEMORY_MB, _static_roots()),
            )
        return _pool


def warm_up() -> None:
    """Start the renderer processes now, each loading WeasyPrint and its fonts, so that the first
    documents after a start or a worker's recycling (gunicorn ``max_requests``) do not wait a
    second or two for them: called by gunicorn in every worker (deploy/gunicorn.conf.py)."""
    if multiprocessing.current_process().daemon:
        return
    pool = _get_pool()
    # The executor starts a process for each task submitted while none is idle, and these are
    # submitted long before the first process has loaded WeasyPrint.
    for _process in range(settings.PDF_RENDER_WORKERS):
        pool.submit(pdf_worker.ready)


def _discard_pool() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)


def render_html(template_name: str, context: dict[str, Any], language: str) -> str:
    with translation.override(language):
        return render_to_string(template_name, {**context, "static_base": pdf_worker.STATIC_BASE})


def html_to_pdf(html: str) -> bytes:
    if multiprocessing.current_process().daemon:
        # A daemonic process (Celery's prefork child) may not start children: render inline,
        # still with the restricted fetcher and the page cap.
        return _render_inline(html)
    return _in_pool(pdf_worker.render, html)


def sheet_to_pdf(sheet: Sheet) -> bytes:
    """A fixed-layout document (``sheets``), drawn by the same processes under the same limits."""
    if multiprocessing.current_process().daemon:
        try:
            return pdf_worker.render_sheet(sheet, settings.PDF_RENDER_MAX_PAGES)
        except pdf_worker.TooManyPages:
            raise _too_many_pages() from None
    return _in_pool(pdf_worker.render_sheet, sheet)


def _in_pool(render: Callable[[Any, int], bytes], source: Any) -> bytes:
    future = _get_pool().submit(render, source, settings.PDF_RENDER_MAX_PAGES)
    try:
        return future.result(timeout=settings.PDF_RENDER_TIMEOUT_SECONDS)
    except FutureTimeout:
        _discard_pool()
        raise RenderError(_("El document ha tardat massa a generar-se.")) from None
    except (BrokenProcessPool, MemoryError):
        _discard_pool()
        raise RenderError(_("El document no s'ha pogut generar (memòria exhaurida).")) from None
    except pdf_worker.TooManyPages:
        raise _too_many_pages() from None


def _too_many_pages() -> RenderError:
    return RenderError(_("El document supera el nombre màxim de pàgines."))


def _render_inline(html: str) -> bytes:
    if not pdf_worker._static_roots:
        pdf_worker._static_roots[:] = [Path(root).resolve() for root in _static_roots()]
    try:
        return pdf_worker.render(html, settings.PDF_RENDER_MAX_PAGES)
    except pdf_worker.TooManyPages:
        raise _too_many_pages() from None


def render_pdf(template_name: str, context: dict[str, Any], language: str) -> bytes:
    return html_to_pdf(render_html(template_name, context, language))
