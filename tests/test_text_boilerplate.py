"""The article inside a web-page dump: generic line rules, not one site's."""
from __future__ import annotations

import time

from syriamap.text.boilerplate import main_spans

PARA1 = "Five fighters were killed in clashes near the town of Saraqib on Tuesday, a monitoring group said."
PARA2 = "The fighting broke out at dawn and lasted several hours before government forces withdrew from the area."


def _kept(text: str) -> str:
    spans = main_spans(text)
    for start, end in spans:
        assert text[start:end] and text[start:end] == text[start:end].strip()
    return "\n".join(text[s:e] for s, e in spans)


def test_seed_page_keeps_headline_to_last_paragraph(shared_seeds):
    text = (shared_seeds / "000_367303c93b758c1a.txt").read_text(encoding="utf-8")
    spans = main_spans(text)
    kept = _kept(text)
    assert kept.startswith("Syria: One-sided talks resume as bomb shakes Homs city")
    assert kept.endswith("intensified yesterday")
    for boilerplate in ("Skip to main content", "Subscribe", "More from this author", "Afrin", "2018", "2024",
                        "Similar stories", "LIBERATION", "VIJAY PRASHAD", "Support the Morning Star"):
        assert boilerplate not in kept
    assert all(start < end for start, end in spans)


def test_teaser_list_after_a_heading_is_dropped_until_prose_resumes():
    text = "\n".join([
        "Home | World | Sport",
        "Clashes near Idlib leave five dead",
        PARA1,
        "Related",
        "Aleppo shelling kills three",
        "World / 9 February 2018",
        "A long teaser summary that names Afrin and runs on and on without ending like a real sentence at all",
        PARA2,
        "Most read",
        "Homs market reopens",
        "3 March 2018",
    ])
    kept = _kept(text)
    assert "Clashes near Idlib leave five dead" in kept and PARA1 in kept and PARA2 in kept
    for dropped in ("Home | World", "Aleppo shelling", "February", "Afrin", "Most read", "Homs market", "March"):
        assert dropped not in kept


def test_prompts_and_date_lines_are_dropped_inside_the_article():
    text = "\n\n".join([PARA1, "Advertisement", "Published: 14 March 2017 10:32 GMT", PARA2])
    kept = _kept(text)
    assert PARA1 in kept and PARA2 in kept
    assert "Advertisement" not in kept and "March" not in kept


def test_text_without_paragraphs_is_kept_whole():
    assert _kept("Clashes in Homs killed 5.") == "Clashes in Homs killed 5."
    assert _kept("Shelling in Hama\nTwo dead in Idlib") == "Shelling in Hama\nTwo dead in Idlib"


def test_arabic_paragraphs_are_prose():
    text = "قتل خمسة مقاتلين في اشتباكات قرب مدينة سراقب في محافظة إدلب يوم الثلاثاء بحسب المرصد السوري لحقوق الإنسان.\nاقرأ أيضا"
    assert "سراقب" in _kept(text)


def test_bad_input():
    assert main_spans("") == [] and main_spans("  \n ") == [] and main_spans(None) == []  # type: ignore[arg-type]


def test_large_dump_in_bounded_time():
    text = ("Menu\n" + PARA1 + "\n\nRelated\nTeaser title here\n1 May 2018\n") * 20_000
    started = time.perf_counter()
    spans = main_spans(text)
    assert time.perf_counter() - started < 20
    assert spans
