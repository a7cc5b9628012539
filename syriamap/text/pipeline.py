"""News text to events: the whole text pipeline, as two functions.

:func:`extract_events` takes one report (plain text, an HTML page or a web-page
dump) and returns its events as an event table (:mod:`syriamap.schema`), one row
per clause that reports something happening, in text order:

document (boilerplate dropped) -> sentences -> place mentions -> places in the
document's context -> clauses -> event type -> location, date, fatalities,
actors -> rows, with the same event reported twice in one report merged.

Every row keeps its provenance: the sentence (``notes`` and
``source_sentence``), the offsets of the location's mention in the document
text (``char_start``/``char_end``), a ``confidence``, the gazetteer ``place_id``
and, in the extra column ``reasons``, why each field was decided.

:func:`extract_events_many` runs it over many reports with a progress bar; an
article that fails becomes one error row naming it, so a batch never loses one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from syriamap.gazetteer import Gazetteer
from syriamap.schema import GEO_COARSE_FLAG
from syriamap.text.actors import assign_actors, find_actors
from syriamap.text.classify import Classification, classify
from syriamap.text.clauses import split_clauses
from syriamap.text.dates import DateMention, event_date, find_dates
from syriamap.text.document import Document, load_document
from syriamap.text.fatalities import find_fatalities
from syriamap.text.locate import EventLocation, locate
from syriamap.text.mentions import MentionFinder
from syriamap.text.resolve import approximate_mentions, resolve_mentions
from syriamap.text.sentences import Sentence, split_sentences

__all__ = ["extract_events", "extract_events_many", "REASONS_COLUMN", "ERROR_FLAG"]

logger = logging.getLogger(__name__)

#: Extra column holding, per row, why each field was decided (``; ``-separated).
REASONS_COLUMN = "reasons"
#: Flag of a row that stands for an article that could not be processed.
ERROR_FLAG = "extract_error"
#: Flags the pipeline sets on its rows.
NO_LOCATION_FLAG = "no_location"
FATALITIES_LOWER_BOUND_FLAG = "fatalities_lower_bound"
DATE_FROM_PUBLISHED_FLAG = "date_from_published"

#: A toll above this in one clause is a war's or a year's total, not one event's: the clause is no event.
MAX_EVENT_FATALITIES = 5_000

_finders: dict[str, MentionFinder] = {}
_default_gazetteer: Gazetteer | None = None


def _gazetteer(gazetteer: Gazetteer | None) -> Gazetteer:
    global _default_gazetteer
    if gazetteer is not None:
        return gazetteer
    if _default_gazetteer is None:
        _default_gazetteer = Gazetteer()
    return _default_gazetteer


def _finder(gazetteer: Gazetteer) -> MentionFinder:
    key = str(gazetteer.path)
    if key not in _finders:
        _finders[key] = MentionFinder(gazetteer)
    return _finders[key]


@dataclass
class _Event:
    """One event as it is assembled, before it becomes a row."""

    start: int
    sentence: tuple[int, int]
    classification: Classification
    location: EventLocation | None
    date: dt.date | None
    time_precision: int | None
    fatalities: int | None
    actor1: str | None
    actor2: str | None
    flags: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    confidence: float = 0.0


def _event_date(dates: list[DateMention], published: dt.date | None) -> tuple[dt.date | None, int | None, list[str], list[str]]:
    """The clause's date, or the publication date with week precision, or nothing."""
    found = event_date(dates, published)
    if found is not None and found.date is not None:
        return found.date, found.precision, [f"date {found.surface!r} -> {found.date.isoformat()}", *found.reasons], []
    if found is not None:
        return None, None, [f"date {found.surface!r} is relative and the report has no publication date"], []
    if published is not None:
        return published, 2, ["no date in the text: the report's publication date, to the week"], [DATE_FROM_PUBLISHED_FLAG]
    return None, None, ["no date in the text and no publication date"], []


def _build_events(doc: Document, gazetteer: Gazetteer) -> list[_Event]:
    text = doc.text
    sentences = split_sentences(text, doc.body)
    mentions = approximate_mentions(text, doc.body, _finder(gazetteer).find(text, doc.body), gazetteer)
    resolved = resolve_mentions(text, mentions, gazetteer)
    events: list[_Event] = []
    for sentence in sentences:
        sent_span = (sentence.start, sentence.end)
        clauses = split_clauses(sentence)
        sentence_actors = find_actors(text, sentence.start, sentence.end)
        before = len(events)
        for clause in clauses:
            actors = [a for a in sentence_actors if clause.start <= a.start < clause.end]
            cls = classify(clause, actors)
            if cls is None:
                continue
            span = (clause.start, clause.end)
            trigger = (cls.trigger_start, cls.trigger_end)
            where = locate(text, span, sent_span, resolved, trigger)
            dates = find_dates(text, clause.start, clause.end, doc.published)
            if not dates:
                dates = [d for d in find_dates(text, sentence.start, sentence.end, doc.published)
                         if not any(c.start <= d.start < c.end for c in clauses if c is not clause)]
            date, precision, date_why, date_flags = _event_date(dates, doc.published)
            toll = find_fatalities(text, clause.start, clause.end)
            if toll is not None and toll.value > MAX_EVENT_FATALITIES:
                # "the war has killed more than 230,000 people": a war's toll, not an event's
                logger.debug("clause at %d: toll %d is a war's, not an event's", clause.start, toll.value)
                continue
            a1, a2 = assign_actors(clause, sentence_actors, cls)
            ev = _Event(
                start=clause.start, sentence=sent_span, classification=cls, location=where,
                date=date, time_precision=precision,
                fatalities=None if toll is None else toll.value,
                actor1=None if a1 is None else a1.name, actor2=None if a2 is None else a2.name,
            )
            ev.reasons += [*cls.reasons]
            ev.flags += date_flags
            ev.reasons += date_why
            if toll is not None:
                ev.reasons += [f"fatalities {toll.surface!r} -> {toll.value}", *toll.reasons]
                if toll.lower_bound:
                    ev.flags.append(FATALITIES_LOWER_BOUND_FLAG)
            for label, actor in (("actor1", a1), ("actor2", a2)):
                if actor is not None:
                    ev.reasons.append(f"{label} {actor.surface!r} -> {actor.name}")
            if where is None:
                ev.flags.append(NO_LOCATION_FLAG)
                ev.reasons.append("no place named for this event")
                ev.confidence = round(cls.confidence * 0.3, 4)
            else:
                ev.reasons += where.reasons
                if where.place.kind == "country":
                    ev.flags.append(GEO_COARSE_FLAG)
                ev.confidence = round(cls.confidence * where.confidence, 4)
            events.append(ev)
        if len(events) == before and events:
            _follow_up_toll(text, sentence, events[-1])
    return _merge_within_document(events)


def _follow_up_toll(text: str, sentence: Sentence, last: _Event) -> None:
    """A death toll told in a sentence of its own ("No deaths were reported") belongs to the event before it."""
    if last.fatalities is not None or sentence.start - last.sentence[1] > _CONTINUATION_CHARS:
        return
    toll = find_fatalities(text, sentence.start, sentence.end)
    if toll is None:
        return
    last.fatalities = toll.value
    last.reasons += [f"fatalities {toll.surface!r} -> {toll.value}, told after the event", *toll.reasons]
    if toll.lower_bound:
        last.flags.append(FATALITIES_LOWER_BOUND_FLAG)


def _contains(coarse: EventLocation, fine: EventLocation) -> bool:
    """Whether the coarser location contains the finer one (same country, or same governorate)."""
    c, f = coarse.place, fine.place
    if c.kind == "country":
        return c.country_code == f.country_code
    if c.kind == "admin1":
        return c.country_code == f.country_code and (c.name == f.admin1 or c.name == f.name)
    return False


#: An event with no place of its own, this close after one of its type, is that event told on.
_CONTINUATION_CHARS = 400


def _dates_compatible(a: _Event, b: _Event) -> bool:
    if a.date is None or b.date is None:
        return True
    slack = 7 if DATE_FROM_PUBLISHED_FLAG in a.flags + b.flags else 0
    return abs((a.date - b.date).days) <= slack


def _same_event(a: _Event, b: _Event) -> bool:
    """Whether ``b`` tells again the happening ``a`` told earlier in the same report.

    Same event type (and sub-event type, where both have one) and compatible
    dates, and either the same place (or one
    place containing the other: the headline's "Syria" and the lede's town),
    or ``b`` has no place of its own and follows ``a`` closely ("A bomb went
    off at a roundabout", after the sentence that placed the bombing).
    """
    ca, cb = a.classification, b.classification
    if ca.event_type != cb.event_type or not _dates_compatible(a, b):
        return False
    if ca.sub_event_type and cb.sub_event_type and ca.sub_event_type != cb.sub_event_type:
        return False
    la, lb = a.location, b.location
    if la is None or lb is None:
        return (la is not None or lb is not None) and 0 <= b.start - a.sentence[1] <= _CONTINUATION_CHARS
    if la.place.id == lb.place.id and la.geo_precision == lb.geo_precision:
        return True
    return _contains(la, lb) or _contains(lb, la)


def _merge_within_document(events: list[_Event]) -> list[_Event]:
    """Merge the events one report tells twice, keeping the finer place and the richer fields."""
    kept: list[_Event] = []
    for ev in events:
        twin = next((k for k in reversed(kept) if _same_event(k, ev)), None)
        if twin is None:
            kept.append(ev)
            continue
        if ev.location is not None and (twin.location is None or ev.location.geo_precision < twin.location.geo_precision):
            twin.location, twin.sentence = ev.location, ev.sentence
            twin.confidence = max(twin.confidence, ev.confidence)
            twin.flags = [f for f in twin.flags if f not in (GEO_COARSE_FLAG, NO_LOCATION_FLAG)]
        if (twin.date is None or DATE_FROM_PUBLISHED_FLAG in twin.flags) and ev.date is not None and DATE_FROM_PUBLISHED_FLAG not in ev.flags:
            twin.date, twin.time_precision = ev.date, ev.time_precision
            twin.flags = [f for f in twin.flags if f != DATE_FROM_PUBLISHED_FLAG]
        if ev.fatalities is not None and (twin.fatalities is None or ev.fatalities > twin.fatalities):
            twin.fatalities = ev.fatalities
            twin.flags = [f for f in twin.flags if f != FATALITIES_LOWER_BOUND_FLAG]
            twin.flags += [f for f in ev.flags if f == FATALITIES_LOWER_BOUND_FLAG]
        twin.actor1 = twin.actor1 or ev.actor1
        twin.actor2 = twin.actor2 or ev.actor2
        if twin.classification.sub_event_type is None and ev.classification.sub_event_type is not None:
            twin.classification = ev.classification
        twin.reasons.append(f"merged with the same event told again at character {ev.start}")
    return kept


def _doc_key(doc: Document) -> str:
    h = hashlib.sha1()
    h.update((doc.url or doc.source or "").encode("utf-8", "replace"))
    h.update(b"\0")
    h.update(doc.text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:12]


#: Actors the table names without a country ("the army", "police"): the event's country completes them.
_STATE_ACTORS_WITHOUT_COUNTRY = ("Military Forces", "Police Forces")


def _complete_actor(actor: str | None, where: EventLocation | None, reasons: list[str]) -> str | None:
    """'Military Forces' in an event in Syria are the Military Forces of Syria (ACLED's naming)."""
    if actor not in _STATE_ACTORS_WITHOUT_COUNTRY or where is None or not where.place.country_code:
        return actor
    country = _country_name(where.place.country_code)
    if not country:
        return actor
    reasons.append(f"{actor} of the event's country: {actor} of {country}")
    return f"{actor} of {country}"


def _rows(doc: Document, events: list[_Event]) -> list[dict[str, Any]]:
    key = _doc_key(doc)
    published = None if doc.published is None else pd.Timestamp(doc.published).tz_localize("UTC")
    rows = []
    for i, ev in enumerate(events, 1):
        where = ev.location
        place = None if where is None else where.place
        sentence = doc.text[ev.sentence[0]:ev.sentence[1]]
        ev.actor1 = _complete_actor(ev.actor1, where, ev.reasons)
        ev.actor2 = _complete_actor(ev.actor2, where, ev.reasons)
        rows.append({
            "event_id": f"text:{key}:{i}",
            "event_date": ev.date,
            "time_precision": ev.time_precision,
            "event_type": ev.classification.event_type,
            "sub_event_type": ev.classification.sub_event_type,
            "actor1": ev.actor1,
            "actor2": ev.actor2,
            "location": None if where is None else where.name,
            "admin1": None if place is None else (place.name if place.kind == "admin1" else place.admin1),
            "admin2": None if place is None else place.admin2,
            "country": None if place is None else _country_name(place.country_code),
            "iso3": None if place is None else _iso3(place.country_code),
            "latitude": None if where is None else where.latitude,
            "longitude": None if where is None else where.longitude,
            "geo_precision": None if where is None else where.geo_precision,
            "fatalities": ev.fatalities,
            "notes": sentence,
            "source": doc.source,
            "url": doc.url,
            "published": published,
            "place_id": None if place is None else place.id,
            "confidence": ev.confidence,
            "source_sentence": sentence,
            "char_start": None if where is None else where.start,
            "char_end": None if where is None else where.end,
            "flags": ";".join(dict.fromkeys(ev.flags)) or None,
            REASONS_COLUMN: "; ".join(ev.reasons),
        })
    return rows


def _country_name(code: str) -> str | None:
    from syriamap import countries

    return countries.name_of(code) if code else None


def _iso3(code: str) -> str | None:
    from syriamap import countries

    return countries.iso3_of(code) if code else None


def _table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    from syriamap.schema import empty_events, from_records

    if not rows:
        out = empty_events()
        out[REASONS_COLUMN] = pd.Series([], dtype="str")
        return out
    return from_records(rows)


def extract_events(
    text_or_html: str | bytes,
    *,
    published: dt.date | dt.datetime | str | None = None,
    source: str | None = None,
    url: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> pd.DataFrame:
    """The events a news report tells, as an event table in text order.

    ``text_or_html`` is plain text, an HTML page or a web-page dump (navigation
    and teaser lists are dropped).  ``published`` (the report's publication date;
    for HTML, the page's metadata is used when it is not given) anchors relative
    dates such as "yesterday" or "on Monday"; without it they stay empty.
    ``gazetteer`` defaults to the embedded one.  An input with no events gives an
    empty table; the log says why.
    """
    doc = load_document(text_or_html, published=published, source=source, url=url)
    if not doc.body:
        logger.warning("no article text: %s", "; ".join(doc.reasons) or "empty input")
        return _table([])
    return _table(_rows(doc, _build_events(doc, _gazetteer(gazetteer))))


def _error_row(article_id: object, why: str, source: str | None, url: str | None) -> dict[str, Any]:
    return {
        "event_id": f"error:{article_id}",
        "notes": f"article {article_id!r} could not be processed: {why}"[:500],
        "source": source, "url": url, "flags": ERROR_FLAG, "confidence": 0.0,
        REASONS_COLUMN: why[:500],
    }


def _extract_article(art: object, body: object, pub: object, src: object, link: object,
                     gaz: Gazetteer) -> list[dict[str, Any]]:
    """One article of a batch: the rows of its events, or one error row saying why there is nothing to read."""
    source, url = _text_or_none(src), _text_or_none(link)
    try:
        doc = load_document(body, published=None if _missing(pub) else pub, source=source, url=url)
        if not doc.body:
            rows = [_error_row(art, "no article text: " + ("; ".join(doc.reasons) or "empty"), source, url)]
        else:
            rows = _rows(doc, _build_events(doc, gaz))
    except Exception as exc:  # noqa: BLE001 - one bad article must not end the batch
        logger.warning("article %r failed: %s: %s", art, type(exc).__name__, exc)
        rows = [_error_row(art, f"{type(exc).__name__}: {exc}", source, url)]
    return rows


def extract_events_many(
    texts: Iterable[Any] | pd.Series | pd.DataFrame,
    *,
    text: str = "text",
    published: str | Iterable[Any] | None = None,
    source: str | Iterable[Any] | None = None,
    url: str | Iterable[Any] | None = None,
    id_column: str | None = None,
    gazetteer: Gazetteer | None = None,
    progress: bool | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """:func:`extract_events` over many reports, with a progress bar; one table in input order.

    ``texts`` is an iterable of strings, a Series, or a DataFrame whose ``text``
    column holds the reports (then ``published``, ``source``, ``url`` and
    ``id_column`` name its columns).  For an iterable or a Series they may be
    iterables of the same length, or one value for all.  The extra column
    ``article`` holds each row's article id (the DataFrame's ``id_column``, else
    its position).  An article with no readable text (missing, binary, too
    long) or whose processing fails becomes one row flagged ``extract_error``
    naming it and why: nothing is lost.

    ``workers`` processes share the work (None or 1: this process; 0 or -1:
    all cores; see :mod:`syriamap.text.parallel`); the result is the same.
    """
    from tqdm.auto import tqdm

    from syriamap.text.parallel import extract_rows, resolve_workers

    if isinstance(texts, pd.DataFrame):
        frame = texts
        if text not in frame.columns:
            raise ValueError(f"no column {text!r} in the articles; columns are {list(frame.columns)}")
        id_index = pd.Index(frame[id_column]) if id_column else pd.RangeIndex(len(frame))
        ids = id_index.tolist()
        bodies = frame[text].tolist()

        def column(name: str | Iterable[Any] | None) -> list[Any]:
            if name is None:
                return [None] * len(frame)
            if isinstance(name, str):
                if name not in frame.columns:
                    raise ValueError(f"no column {name!r} in the articles; columns are {list(frame.columns)}")
                return frame[name].tolist()
            return list(name)

        pubs, sources, urls = column(published), column(source), column(url)
    else:
        bodies = list(texts)
        id_index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(bodies))
        ids = id_index.tolist()

        def spread(value: str | Iterable[Any] | None) -> list[Any]:
            if value is None or isinstance(value, (str, dt.date, pd.Timestamp)):
                return [value] * len(bodies)
            values = list(value)
            if len(values) != len(bodies):
                raise ValueError(f"{len(values)} values given for {len(bodies)} articles")
            return values

        pubs, sources, urls = spread(published), spread(source), spread(url)
    gaz = _gazetteer(gazetteer)
    articles = list(zip(ids, bodies, pubs, sources, urls))
    show = not (progress is False or (progress is None and len(bodies) < 50))
    n_workers = resolve_workers(workers)
    if n_workers > 1 and len(articles) > 1:
        per_article = extract_rows(articles, gaz, workers=n_workers, progress=show)
    else:
        per_article = [_extract_article(*article, gaz)
                       for article in tqdm(articles, desc="extracting", unit="article", disable=not show)]
    # One table for the whole batch: building a DataFrame per article would cost more than extracting it.
    out = _table([row for rows in per_article for row in rows])
    # The ids keep their dtype (an int id stays int, also where some article has no row).
    out["article"] = pd.Series(id_index.repeat([len(rows) for rows in per_article]), index=out.index)
    return out


def _missing(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and value != value)


def _text_or_none(value: object) -> str | None:
    return None if _missing(value) else str(value)
