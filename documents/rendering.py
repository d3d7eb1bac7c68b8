"""Rendering a template and a context to ``(html, pdf_bytes)`` with WeasyPrint.

WeasyPrint's import takes over half a second, so it happens inside ``render_to_pdf`` (the first
call pays it, web requests that only serve stored PDFs never do). The font configuration and the
shared stylesheet are made once per process and reused: fontconfig's scan of the CJK fonts is
the expensive part of a first render.
"""

import functools
import logging
import threading
from pathlib import Path

from django.template.loader import render_to_string

from documents.fontsubset import compact_fonts

logger = logging.getLogger(__name__)

STYLESHEET = Path(__file__).resolve().parent / "pdf" / "document.css"
_lock = threading.Lock()
PDF_VARIANT = "pdf/ua-1"


@functools.cache
def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.cache
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=str(STYLESHEET), font_config=_font_config())


@functools.cache
def _warn_once_if_fonts_missing() -> None:
    from documents.checks import missing_dependencies

    for problem in missing_dependencies():
        logger.warning("Document rendering degraded: %s", problem)


def render_html(template: str, context: dict) -> str:
    return render_to_string(template, context)


def render_to_pdf(template: str, context: dict) -> tuple[str, bytes]:
    """Render ``template`` with ``context`` to HTML, then to an A4 PDF with subset fonts."""
    from weasyprint import HTML

    _warn_once_if_fonts_missing()
    html = render_html(template, context)
    # FontConfiguration is shared; WeasyPrint is not documented as thread-safe around it, and
    # a lock costs nothing next to a render (workers render one document at a time anyway).
    with _lock:
        pdf = HTML(string=html, base_url=str(STYLESHEET.parent)).write_pdf(
            font_config=_font_config(),
            stylesheets=[_stylesheet()],
            # Only the glyphs used; harfbuzz subsetting (libharfbuzz-subset0) keeps this fast.
            full_fonts=False,
            finisher=compact_fonts,
            # PDF/UA-1: tagged structure (headings, tables with TH cells, figures with their
            # alt text), document language from <html lang="zh-CN">, title from <title>.
            pdf_variant=PDF_VARIANT,
        )
    return html, pdf
