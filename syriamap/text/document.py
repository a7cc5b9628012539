"""A news report as the text pipeline reads it: text, the article's spans, metadata.

:func:`load_document` takes plain text, an HTML page (``str`` or ``bytes``) or a
web-page dump and returns a :class:`Document`:

* **Plain text / dumps**: ``text`` is the caller's string unchanged, and ``body``
  lists the spans of the article (:func:`~syriamap.text.boilerplate.main_spans`:
  navigation, prompts and teaser lists left out), so every offset points into
  the original.
* **HTML**: trafilatura extracts the main text, the title and the publication
  date.  ``text`` is then the headline, a blank line and trafilatura's main text
  (the headline often names the place, as it does in a dump); ``body`` covers it
  all, boilerplate rules applied.
* ``published`` may be a ``date``, ``datetime``, ``pandas.Timestamp`` or a string
  (ISO ``2017-03-15``, or what pandas parses); the caller's value wins over the
  page's metadata.  An unparseable value raises :class:`DocumentError`.
* Bad input never raises: empty or blank text, binary junk, text longer than
  :data:`MAX_CHARS`, HTML with no article, or a value that is not text gives a
  Document with an empty ``body`` and a reason in ``reasons``.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import re
import unicodedata
from dataclasses import dataclass

from syriamap.errors import UsageError
from syriamap.text.boilerplate import main_spans

logger = logging.getLogger(__name__)

__all__ = ["Document", "DocumentError", "load_document", "MAX_CHARS", "MAX_HTML_BYTES"]

#: Longest text read (characters).  A news article is a few thousand; longer
#: input is a mistake (a whole dump, a log file) and is refused with a reason.
MAX_CHARS = 1_000_000
#: Largest HTML page handed to trafilatura (bytes or characters).
MAX_HTML_BYTES = 5_000_000
#: Fewer words than this in an HTML page's main text is no article (a menu, a stub).
MIN_HTML_WORDS = 8
#: Share of control/unassigned/replacement characters above which text is binary junk.
MAX_JUNK_SHARE = 0.05

_HTML_RE = re.compile(r"^\s*(?:<!doctype\s+html|<html\b|<\?xml[^>]*>\s*<html\b)|<(?:body|article|div|p)\b[^>]*>", re.I)
_JUNK_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd\ue000-\uf8ff]")


class DocumentError(UsageError, ValueError):
    """A caller's argument that cannot be used (an unparseable ``published``)."""


@dataclass(frozen=True)
class Document:
    """A report ready for the text pipeline (see the module docstring).

    ``body`` holds ``(start, end)`` offsets into ``text``, in order; it is empty
    when nothing could be read, and ``reasons`` then says why.
    """

    text: str
    body: tuple[tuple[int, int], ...]
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    url: str | None = None
    reasons: tuple[str, ...] = ()


def _parse_published(value: object) -> dt.date | None:
    if value is None:
        return None
    if (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NaTType":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp (NaT has no date)
        try:
            return value.to_pydatetime().date()
        except (ValueError, AttributeError):
            return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
        import pandas as pd

        try:
            parsed = pd.to_datetime(value)
        except (ValueError, TypeError, OverflowError) as exc:
            raise DocumentError(f"published={value!r} is not a date ({exc})") from None
        if parsed is pd.NaT:
            return None
        return parsed.date()
    raise DocumentError(f"published must be a date, datetime, Timestamp or string, not {type(value).__name__}")


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:MAX_HTML_BYTES]).best()
    except ImportError:  # pragma: no cover - trafilatura depends on it
        best = None
    return str(best) if best is not None else None


def _junk_share(text: str) -> float:
    sample = text[:200_000]
    return len(_JUNK_RE.findall(sample)) / max(1, len(sample))


def _from_html(html: str) -> tuple[str, str | None, dt.date | None, tuple[str, ...]]:
    """Main text, title, date and reasons of an HTML page, through trafilatura."""
    import trafilatura

    try:
        result = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_precision=True)
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        logger.debug("trafilatura failed", exc_info=True)
        return "", None, None, (f"HTML could not be parsed ({type(exc).__name__})",)
    if result is None:
        return "", None, None, ("no article text found in the HTML",)
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    body = (data.get("text") or "").strip()
    title = (data.get("title") or "").strip() or None
    published = None
    if data.get("date"):
        try:
            published = _parse_published(str(data["date"]))
        except DocumentError:
            published = None
    if len(body.split()) < MIN_HTML_WORDS:
        return "", title, published, ("no article text found in the HTML",)
    text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
    return text, title, published, ("HTML: main text by trafilatura",)


def load_document(
    text_or_html: object,
    *,
    published: object = None,
    source: str | None = None,
    url: str | None = None,
) -> Document:
    """Read a report (plain text, web-page dump or HTML) into a :class:`Document`."""
    caller_date = _parse_published(published)
    meta = {"published": caller_date, "source": source, "url": url}

    def empty(reason: str, text: str = "") -> Document:
        return Document(text=text, body=(), title=None, reasons=(reason,), **meta)

    if text_or_html is None or (isinstance(text_or_html, float) and math.isnan(text_or_html)):
        return empty("no text (missing value)")
    if isinstance(text_or_html, (bytes, bytearray, memoryview)):
        data = bytes(text_or_html)
        if len(data) > 4 * MAX_CHARS and not _HTML_RE.search(data[:4096].decode("latin-1")):
            return empty(f"text too long ({len(data):,} bytes; the limit is {MAX_CHARS:,} characters)")
        decoded = _decode(data)
        if decoded is None:
            return empty("binary data, not text")
        text_or_html = decoded
    if not isinstance(text_or_html, str):
        return empty(f"not text but {type(text_or_html).__name__}")
    text: str = text_or_html
    if not text.strip():
        return empty("empty text", text)
    if _junk_share(text) > MAX_JUNK_SHARE:
        return empty("binary data, not text", text)

    if _HTML_RE.search(text[:4096]):
        if len(text) > MAX_HTML_BYTES:
            return empty(f"HTML page too large ({len(text):,} characters; the limit is {MAX_HTML_BYTES:,})", text)
        extracted, title, page_date, reasons = _from_html(text)
        published_date = caller_date or page_date
        if not extracted:
            return Document(text="", body=(), title=title, published=published_date, source=source, url=url, reasons=reasons)
        spans = main_spans(extracted) or [(0, len(extracted))]
        if page_date and not caller_date:
            reasons += (f"published {page_date.isoformat()} from the page's metadata",)
        return Document(extracted, tuple(spans), title, published_date, source, url, reasons)

    if len(text) > MAX_CHARS:
        return empty(f"text too long ({len(text):,} characters; the limit is {MAX_CHARS:,})", text)
    text_nfc_changed = unicodedata.is_normalized("NFC", text) is False
    spans = main_spans(text)
    reasons: tuple[str, ...] = ()
    if not spans:
        reasons = ("no article text found",)
    elif text_nfc_changed:
        reasons = ("text is not in Unicode NFC; offsets refer to it as given",)
    title = None
    if spans:
        first = text[spans[0][0]:spans[0][1]]
        if "\n" not in first and len(first) <= 200 and not first.rstrip().endswith((".", "!", "?", "”", '"')):
            title = first.strip()
    return Document(text, tuple(spans), title, caller_date, source, url, reasons)
