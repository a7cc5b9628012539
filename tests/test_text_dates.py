"""Dates in news text: syriamap.text.dates (find_dates, event_date)."""
from __future__ import annotations

import datetime as dt
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syriamap.text.dates import FUTURE_GRACE_DAYS, DateMention, event_date, find_dates

#: A Wednesday.
PUBLISHED = dt.date(2017, 3, 15)


def dates_in(text: str, published=PUBLISHED) -> list[tuple[str, dt.date | None, int]]:
    return [(m.surface, m.date, m.precision) for m in find_dates(text, 0, len(text), published)]


def only(text: str, published=PUBLISHED) -> DateMention:
    mentions = find_dates(text, 0, len(text), published)
    assert len(mentions) == 1, mentions
    return mentions[0]


@pytest.mark.parametrize(
    ("text", "surface", "date", "precision"),
    [
        ("Six people died in Homs yesterday.", "yesterday", dt.date(2017, 3, 14), 1),
        ("Yesterday's attack killed six.", "Yesterday's", dt.date(2017, 3, 14), 1),
        ("Talks start today in Astana.", "today", PUBLISHED, 1),
        ("Jets struck the town tonight.", "tonight", PUBLISHED, 1),
        ("Shelling resumed this morning.", "this morning", PUBLISHED, 1),
        ("Clashes broke out last night near Hama.", "last night", dt.date(2017, 3, 14), 1),
        ("It happened the day before yesterday.", "the day before yesterday", dt.date(2017, 3, 13), 1),
        ("On Monday an amnesty deal was struck.", "On Monday", dt.date(2017, 3, 13), 1),
        ("condemning Saturday’s Damascus bombings", "Saturday’s", dt.date(2017, 3, 11), 1),
        ("condemning Saturday's Damascus bombings", "Saturday's", dt.date(2017, 3, 11), 1),
        ("A car bomb went off on Saturday night.", "on Saturday night", dt.date(2017, 3, 11), 1),
        ("Sunday morning raids hit Idlib.", "Sunday morning", dt.date(2017, 3, 12), 1),
        # the publication weekday is the publication day (wire copy: 'said on Wednesday')
        ("the ministry said on Wednesday", "on Wednesday", PUBLISHED, 1),
        ("a raid last Wednesday", "last Wednesday", dt.date(2017, 3, 8), 1),
        ("three days ago", "three days ago", dt.date(2017, 3, 12), 1),
        ("4 days ago", "4 days ago", dt.date(2017, 3, 11), 1),
        ("Fighting raged last week.", "last week", dt.date(2017, 3, 9), 2),
        ("Two weeks ago the siege began.", "Two weeks ago", dt.date(2017, 3, 2), 2),
        ("The offensive began earlier this week.", "earlier this week", dt.date(2017, 3, 14), 2),
        ("clashes earlier this month", "earlier this month", PUBLISHED, 3),
        ("The town fell last month.", "last month", dt.date(2017, 2, 15), 3),
        ("On 14 March, jets struck.", "14 March", dt.date(2017, 3, 14), 1),
        ("On March 14, jets struck.", "March 14", dt.date(2017, 3, 14), 1),
        ("On March 14th, jets struck.", "March 14th", dt.date(2017, 3, 14), 1),
        ("on the 14th of March", "the 14th of March", dt.date(2017, 3, 14), 1),
        ("on 14 March 2016 in Homs", "14 March 2016", dt.date(2016, 3, 14), 1),
        ("on March 14, 2016 in Homs", "March 14, 2016", dt.date(2016, 3, 14), 1),
        ("on 14 Mar. 2016 in Homs", "14 Mar. 2016", dt.date(2016, 3, 14), 1),
        ("The siege started in March 2016.", "in March 2016", dt.date(2016, 3, 15), 3),
        ("The siege started in early February.", "in early February", dt.date(2017, 2, 15), 3),
        ("The siege started in mid-February.", "in mid-February", dt.date(2017, 2, 15), 3),
        ("They left in August.", "in August", dt.date(2016, 8, 15), 3),
        ("The town was taken in 2016.", "in 2016", dt.date(2016, 7, 1), 3),
        ("Report dated 2017-03-14.", "2017-03-14", dt.date(2017, 3, 14), 1),
        ("Report dated 14/03/2017.", "14/03/2017", dt.date(2017, 3, 14), 1),
        ("Report dated 04/03/2017.", "04/03/2017", dt.date(2017, 3, 4), 1),  # day-first
        ("Report dated 03/14/2017.", "03/14/2017", dt.date(2017, 3, 14), 1),  # second field > 12
        ("Report dated 14.03.2017.", "14.03.2017", dt.date(2017, 3, 14), 1),
        ("Jets struck on the 12th, residents said.", "on the 12th", dt.date(2017, 3, 12), 1),
        ("Jets struck on the 20th, residents said.", "on the 20th", dt.date(2017, 2, 20), 1),
        ("قصف الطيران المدينة يوم 14 آذار 2017", "14 آذار 2017", dt.date(2017, 3, 14), 1),
        ("قتل ستة أشخاص أمس", "أمس", dt.date(2017, 3, 14), 1),
        ("between 10-12 March", "10-12 March", dt.date(2017, 3, 10), 2),
        ("In October last year the town fell.", "In October last year", dt.date(2016, 10, 15), 3),
        ("a week ago", "a week ago", dt.date(2017, 3, 9), 2),
        ("Raids intensified over the weekend.", "over the weekend", dt.date(2017, 3, 11), 2),
        ("Raids intensified last weekend.", "last weekend", dt.date(2017, 3, 11), 2),
        ("Raids on Friday evening", "on Friday evening", dt.date(2017, 3, 10), 1),
        ("The town fell late last month.", "late last month", dt.date(2017, 2, 15), 3),
        ("from 10 to 15 March", "10 to 15 March", dt.date(2017, 3, 10), 2),
        ("on 5 March last year", "5 March last year", dt.date(2016, 3, 5), 1),
        ("Wednesday 29 Oct 2014: Syrian jets struck", "Wednesday 29 Oct 2014", dt.date(2014, 10, 29), 1),
        ("Jets struck on Monday, March 13, residents said.", "on Monday, March 13", dt.date(2017, 3, 13), 1),
    ],
)
def test_resolves_each_form(text, surface, date, precision):
    mention = only(text)
    assert (mention.surface, mention.date, mention.precision) == (surface, date, precision)
    assert text[mention.start:mention.end] == surface
    assert mention.reasons and surface in mention.reasons[0]


@pytest.mark.parametrize(
    "text",
    [
        "a deal for 2,500 insurgents and their families",
        "the 95th Anniversary of the army",
        "the 1 March Movement marched",
        "leaders of the 14 March Alliance",
        "the March 8 Alliance met",
        "the meeting at 10:30 and a second at 3 pm",
        "the monks of Mar Musa",
        "protesters march on the palace",
        "it may 12 times",
        "troops of the 5th Division attacked on the 4th Corps front",
        "Osama Abu Zeid and Bashar al-Assad",
        "the 31 April claim",  # no such day
        "he scored 14 points in 2 games",
        "a 6-year-old girl",
        "the Sun and the Sat newspapers",
        "in the 1990s and in 2000s",
        "in 2,000 homes, 30% of them",
        "UN Security Council Resolution 2254",
    ],
)
def test_numbers_and_words_that_are_not_dates(text):
    assert dates_in(text) == []


def test_day_month_far_after_publication_is_last_year():
    text = "The offensive began on 28 December."
    mention = only(text, dt.date(2017, 1, 2))
    assert mention.date == dt.date(2016, 12, 28)
    assert any("previous year" in r for r in mention.reasons)


def test_day_month_shortly_after_publication_stays_and_is_flagged_future():
    mention = only("Talks are planned for 23 March.")
    assert mention.date == dt.date(2017, 3, 23)
    assert any(r.startswith("future") for r in mention.reasons)
    assert (dt.date(2017, 3, 15) + dt.timedelta(days=FUTURE_GRACE_DAYS)).year == 2017


def test_future_weekday_moves_forward_and_is_not_the_event_date():
    text = "Talks will resume on Monday after clashes yesterday."
    mentions = find_dates(text, 0, len(text), PUBLISHED)
    assert [m.surface for m in mentions] == ["on Monday", "yesterday"]
    assert mentions[0].date == dt.date(2017, 3, 20)
    assert event_date(mentions, PUBLISHED).surface == "yesterday"


def test_this_weekend_midweek_is_the_coming_one():
    mention = only("Talks are expected this weekend.")
    assert mention.date == dt.date(2017, 3, 18)
    assert event_date([mention], PUBLISHED) is None
    assert only("Jets struck this weekend.", dt.date(2017, 3, 13)).date == dt.date(2017, 3, 11)


def test_since_early_march_starts_a_period():
    mention = only("Fighting has raged since early March.")
    assert mention.surface == "since early March"
    assert "start of a period" in mention.reasons


def test_empty_and_out_of_range_spans():
    assert find_dates("yesterday", 5, 2, PUBLISHED) == []
    assert [m.surface for m in find_dates("yesterday", -3, 100, PUBLISHED)] == ["yesterday"]
    assert find_dates("", 0, 0, PUBLISHED) == []


def test_due_to_is_a_cause_not_a_plan():
    mention = only("Two people died due to shelling on Monday.")
    assert mention.date == dt.date(2017, 3, 13)
    assert not any(r.startswith("future") for r in mention.reasons)
    assert only("The envoy is due to arrive on Monday.").date == dt.date(2017, 3, 20)


def test_next_week_is_future():
    mention = only("A new round is due next week.")
    assert mention.date > PUBLISHED
    assert event_date([mention], PUBLISHED) is None


def test_without_publication_date_relative_forms_are_undated_but_absolute_ones_resolve():
    text = "On Monday, after yesterday's raid, 14 March 2017 and 14 March were recalled."
    got = dates_in(text, None)
    assert got == [
        ("On Monday", None, 1),
        ("yesterday's", None, 1),
        ("14 March 2017", dt.date(2017, 3, 14), 1),
        ("14 March", None, 1),
    ]


def test_offsets_are_absolute_and_limited_to_the_span():
    text = "Yesterday, nothing. " + "On Monday jets struck Homs. " + "Saturday was calm."
    start = text.index("On Monday")
    end = text.index("Saturday")
    mentions = find_dates(text, start, end, PUBLISHED)
    assert [(m.start, m.end, m.surface) for m in mentions] == [(start, start + 9, "On Monday")]


def test_datetime_published_is_reduced_to_its_date_and_bad_types_are_refused():
    text = "yesterday"
    assert only(text, dt.datetime(2017, 3, 15, 23, 59)).date == dt.date(2017, 3, 14)
    with pytest.raises(TypeError, match="published"):
        find_dates(text, 0, len(text), "2017-03-15")


def test_dateline_and_since_are_not_event_dates():
    text = "BEIRUT, March 15 (Reuters) - Jets struck Idlib on Tuesday, in fighting that has raged since 2011."
    mentions = find_dates(text, 0, len(text), PUBLISHED)
    assert [m.surface for m in mentions] == ["March 15", "on Tuesday", "since 2011"]
    assert any("dateline" in r for r in mentions[0].reasons)
    assert any("start of a period" in r for r in mentions[2].reasons)
    chosen = event_date(mentions, PUBLISHED)
    assert chosen.surface == "on Tuesday" and chosen.date == dt.date(2017, 3, 14)
    assert event_date([mentions[0], mentions[2]], PUBLISHED) is None
    assert event_date([], PUBLISHED) is None


def test_explicit_date_after_publication_is_flagged_and_skipped():
    text = "More from this author: 9 February 2018. Jets struck on 14 March 2017."
    mentions = find_dates(text, 0, len(text), PUBLISHED)
    assert [m.date for m in mentions] == [dt.date(2018, 2, 9), dt.date(2017, 3, 14)]
    assert any(r.startswith("future") for r in mentions[0].reasons)
    assert event_date(mentions, PUBLISHED) is mentions[1]


def test_agency_dateline_is_not_the_event_date():
    text = "Raids kill 10 in camp AFP Wednesday 29 Oct 2014 Syrian aircraft killed 10 people on Wednesday."
    mentions = find_dates(text, 0, len(text), dt.date(2014, 10, 29))
    assert [m.surface for m in mentions] == ["Wednesday 29 Oct 2014", "on Wednesday"]
    assert any("dateline" in r for r in mentions[0].reasons)
    assert event_date(mentions, dt.date(2014, 10, 29)).surface == "on Wednesday"


def test_publication_stamp_is_not_the_event_date():
    text = "Date of publication 14 March 2017 Jets struck Douma yesterday."
    mentions = find_dates(text, 0, len(text), PUBLISHED)
    assert [m.surface for m in mentions] == ["14 March 2017", "yesterday"]
    assert "publication stamp" in mentions[0].reasons
    assert event_date(mentions, PUBLISHED).surface == "yesterday"


def test_event_date_returns_undated_mention_without_publication_date():
    mentions = find_dates("yesterday", 0, 9, None)
    chosen = event_date(mentions, None)
    assert chosen is not None and chosen.date is None


def test_weekday_is_never_after_publication_and_within_a_week():
    for offset in range(14):
        published = dt.date(2017, 3, 1) + dt.timedelta(days=offset)
        for name in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
            mention = only(f"on {name}", published)
            assert 0 <= (published - mention.date).days <= 6
            assert mention.date.strftime("%A") == name


def test_mentions_are_frozen_and_picklable():
    mention = only("yesterday")
    assert pickle.loads(pickle.dumps(mention)) == mention
    with pytest.raises(AttributeError):
        mention.date = None  # type: ignore[misc]


def test_seed_page_relative_dates(shared_seeds):
    text = (shared_seeds / "000_367303c93b758c1a.txt").read_text(encoding="utf-8")
    mentions = find_dates(text, 0, len(text), dt.date(2017, 3, 15))
    by_surface = {}
    for m in mentions:
        by_surface.setdefault(m.surface, m.date)
        assert text[m.start:m.end] == m.surface
    assert by_surface["yesterday"] == dt.date(2017, 3, 14)
    assert by_surface["On Monday"] == dt.date(2017, 3, 13)
    assert by_surface["Saturday’s"] == dt.date(2017, 3, 11)


_TOKENS = [
    "yesterday", "today", "on", "Monday", "Saturday’s", "last", "week", "this", "month", "earlier", "the",
    "14", "14th", "of", "March", "May", "2017", "2,500", "10:30", "3", "pm", "days", "ago", "in", "mid-",
    "12th", "/", ".", ",", "-", "2017-03-14", "14/03/2017", "آذار", "أمس", "since", "will", "Alliance", "\n",
]


@settings(max_examples=200, deadline=None, database=None)
@given(
    words=st.lists(st.sampled_from(_TOKENS) | st.text(max_size=6), max_size=25),
    published=st.none() | st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)),
    cut=st.integers(min_value=0, max_value=10),
)
def test_mentions_are_well_formed_for_any_text(words, published, cut):
    text = " ".join(words)
    start, end = min(cut, len(text)), max(0, len(text) - cut)
    mentions = find_dates(text, start, end, published)
    previous_end = start
    for mention in mentions:
        assert previous_end <= mention.start < mention.end <= max(end, start)
        assert text[mention.start:mention.end] == mention.surface
        assert mention.precision in (1, 2, 3)
        if published is not None:
            assert mention.date is not None
        previous_end = mention.end
    chosen = event_date(mentions, published)
    assert chosen is None or chosen in mentions
