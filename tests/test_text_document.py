"""load_document: plain text, dumps, HTML, metadata, and bad input with reasons."""
from __future__ import annotations

import datetime as dt
import pickle
import time

import pandas as pd
import pytest

from syriamap.text.document import MAX_CHARS, Document, DocumentError, load_document

HTML = """<!DOCTYPE html><html><head><title>Clashes near Idlib | Example News</title>
<meta property="article:published_time" content="2017-03-15T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Clashes near Idlib leave five dead</h1>
<p>Five fighters were killed in clashes near the town of Saraqib in Idlib province on Tuesday, a monitoring group said.</p>
<p>The Syrian Observatory for Human Rights said the fighting broke out at dawn and lasted several hours.</p>
</article><aside><h2>Related</h2><ul><li><a href="/a">Afrin teaser story</a></li></ul></aside>
<footer>Copyright 2017 Example News. All rights reserved.</footer></body></html>"""


def test_plain_text_keeps_the_original_string():
    text = "Clashes in Homs killed 5 people.\n\nShelling hit Hama on Monday."
    doc = load_document(text, source="Test", url="http://example.invalid/a")
    assert doc.text is text
    assert [text[s:e] for s, e in doc.body] == ["Clashes in Homs killed 5 people.", "Shelling hit Hama on Monday."]
    assert doc.source == "Test" and doc.url == "http://example.invalid/a" and doc.reasons == ()
    assert pickle.loads(pickle.dumps(doc)) == doc


def test_seed_dump(shared_seeds):
    text = (shared_seeds / "000_367303c93b758c1a.txt").read_text(encoding="utf-8")
    doc = load_document(text, published="2017-03-15")
    assert doc.published == dt.date(2017, 3, 15)
    assert doc.title == "Syria: One-sided talks resume as bomb shakes Homs city"
    body = " ".join(text[s:e] for s, e in doc.body)
    assert "Afrin" not in body and "Deir Ezzor" in body


def test_html_main_text_title_and_date():
    doc = load_document(HTML)
    assert doc.title == "Clashes near Idlib leave five dead"
    assert doc.published == dt.date(2017, 3, 15)
    assert "Saraqib" in doc.text and "Afrin" not in doc.text and "Copyright" not in doc.text and "Home" not in doc.text
    assert doc.body and all(doc.text[s:e] for s, e in doc.body)
    assert load_document(HTML.encode("utf-8")).text == doc.text


@pytest.mark.parametrize(
    "value", [dt.date(2017, 3, 16), dt.datetime(2017, 3, 16, 8, 0), pd.Timestamp("2017-03-16"), "2017-03-16", "16 March 2017"]
)
def test_callers_published_wins(value):
    assert load_document(HTML, published=value).published == dt.date(2017, 3, 16)
    assert load_document("Clashes in Homs.", published=value).published == dt.date(2017, 3, 16)


def test_unparseable_published_is_a_clear_error():
    with pytest.raises(DocumentError, match="not a date"):
        load_document("Clashes in Homs.", published="not a date at all")
    with pytest.raises(ValueError):
        load_document("Clashes in Homs.", published=[2017])
    assert load_document("x y", published=pd.NaT).published is None


@pytest.mark.parametrize(
    "bad,reason",
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        (None, "missing"),
        (float("nan"), "missing"),
        (42, "not text"),
        (b"\x00\x01\x02\xff\xfe\x80" * 200, "binary"),
        ("\x00\x01\x02\x03 junk \x04\x05" * 100, "binary"),
        ("<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article"),
    ],
)
def test_bad_input_gives_an_empty_body_and_a_reason(bad, reason):
    doc = load_document(bad)
    assert isinstance(doc, Document) and doc.body == ()
    assert any(reason in r for r in doc.reasons), doc.reasons


def test_huge_text_is_refused_quickly():
    text = "Clashes in Homs killed 5 people on Monday. " * 500_000  # about 21 MB
    assert len(text) > MAX_CHARS
    started = time.perf_counter()
    doc = load_document(text)
    assert time.perf_counter() - started < 5
    assert doc.body == () and "too long" in doc.reasons[0]


def test_arabic_and_french_text_are_read():
    arabic = load_document("قتل خمسة في حمص يوم الاثنين.")
    french = load_document("Cinq combattants ont été tués près de Homs lundi.")
    assert arabic.body and french.body
