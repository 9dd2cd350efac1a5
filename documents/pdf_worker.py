"""The PDF renderer's worker side, run in separate processes with a memory cap.

Nothing here imports Django (nor does ``sheets``, for fixed-layout documents): the worker is
started by ``multiprocessing`` and must stay small. It renders only our own templates' HTML and
our sheets, and its URL fetcher reaches nothing but ``data:`` URLs and our static files: no
``file://``, no network, so a value that slipped into a template cannot make the renderer read the
disk or call out.
"""

from __future__ import annotations

import contextlib
import mimetypes
import resource
from pathlib import Path
from urllib.parse import unquote, urlsplit

from documents import sheets
from documents.sheets import Sheet, TooManyPages

STATIC_BASE = "https://seu-static.invalid/static/"
PDF_VARIANT = "pdf/ua-1"

_static_roots: list[Path] = []
# WeasyPrint builds a new font configuration (a Pango font map, fontconfig's lookups) for every
# document unless it is given one: kept per process, it halves the time of a one-page receipt.
# Our templates declare no @font-face, so nothing of one document leaks into the next.
_font_config: object = None

__all__ = ["TooManyPages", "init_worker", "ready", "render", "render_sheet"]


def init_worker(memory_mb: int, static_roots: list[str]) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _static_roots[:] = [Path(root).resolve() for root in static_roots]
    import weasyprint  # noqa: F401  (import once, before the first document)

    _fonts()
    # Without its fonts a sheet cannot be drawn (the system check says so at start-up); the HTML
    # documents can, so the renderer still starts.
    with contextlib.suppress(RuntimeError):
        sheets.register_fonts()


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(STATIC_BASE):
                relative = unquote(urlsplit(url).path)[len("/static/") :]
                for root in _static_roots:
                    candidate = (root / relative).resolve()
                    if candidate.is_relative_to(root) and candidate.is_file():
                        mime, _ = mimetypes.guess_type(candidate.name)
                        return URLFetcherResponse(
                            url,
                            body=candidate.read_bytes(),
                            headers={"Content-Type": mime or "application/octet-stream"},
                        )
            raise ValueError(f"resource not allowed in documents: {url[:80]}")

    return StaticOnlyFetcher()


def ready() -> bool:
    """Nothing to do: the initializer has loaded WeasyPrint (see ``rendering.warm_up``)."""
    return True


def _fonts() -> object:
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def render_sheet(sheet: Sheet, max_pages: int) -> bytes:
    return sheets.draw(sheet, max_pages=max_pages)


def render(html: str, max_pages: int) -> bytes:
    from weasyprint import HTML

    fonts = _fonts()
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=_fetcher()).render(
        font_config=fonts
    )
    if len(document.pages) > max_pages:
        raise TooManyPages(len(document.pages))
    # Tagged (PDF/UA-1, RD 1112/2018): a structure tree from the HTML's headings, tables and
    # paragraphs, the language of ``<html lang>`` in the catalogue, the title shown by readers, and
    # the running footer marked as an artifact. pyHanko's seal is an incremental update that
    # leaves this structure as it is.
    return document.write_pdf(pdf_variant=PDF_VARIANT)
