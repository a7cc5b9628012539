"""Dates in news text: 'yesterday', 'on Monday', "Saturday's", '14 March', 'last week'...

:func:`find_dates` returns every date expression of a span as a :class:`DateMention`
(absolute offsets, the resolved calendar date, an ACLED ``time_precision`` and the
reasons), and :func:`event_date` picks the one that dates a clause's event.

Why regular expressions and calendar arithmetic rather than ``dateparser``: the
forms news reports use are few and fixed, and every one of them needs a rule that
``dateparser`` does not apply (a weekday is the most recent such day *on or before*
publication, a day-month without a year that would fall long after publication
belongs to the previous year, 'last week' is a week-precision date), so a general
parser would still need all of them on top, at a far higher cost per call.  Here a
cheap scan finds the word every date form contains (a digit, a month, a weekday,
'yesterday', 'week'...) and the full pattern is tried only there: tens of thousands
of sentences per second per core (``benchmarks/bench_text_numdate.py``).

Resolution rules (``published`` is the publication date):

* 'today', 'tonight', 'this morning/afternoon/evening' -> published (precision 1);
  'yesterday', 'last night', 'overnight' -> the day before; 'the day before
  yesterday' -> two days before; 'N days ago' -> N days before.
* A weekday ('on Monday', 'Monday night', "Saturday's") is the most recent such day
  on or before ``published``.  The same weekday as publication means the
  publication day itself: wire copy filed on a Wednesday says 'said on Wednesday'
  for that day.  'last Monday' is strictly before publication; 'next Monday' is the
  next one after it (flagged 'future').
* 'last week' / 'N weeks ago' / 'this week' / 'earlier this week' -> precision 2,
  dated at the middle of that calendar week (Monday to Sunday), never after
  publication; 'over the weekend' / 'last weekend' -> that weekend's Saturday
  (precision 2), but 'this weekend' said from Tuesday to Friday is the coming one.  'this month' / 'earlier this month' / 'last month' / 'in March' /
  'March 2017' / 'October last year' / 'in 2016' -> precision 3, dated at the 15th
  of the month (1 July for a bare year), never after publication: the middle of the
  period, with the precision code saying how vague it is.
* '14 March', 'March 14', '14th of March' take the publication year; a day-month
  that would fall more than :data:`FUTURE_GRACE_DAYS` after publication belongs to
  the previous year (a report of 2 January about '28 December').  Within the grace
  window the date stays in the future and is flagged (talks planned 'on 23 March').
* 'on the 12th' is the 12th of the publication month, or of the month before when
  that would be after publication.
* Numeric dates: '2017-03-14' (ISO) and '14/03/2017', '14/03/17' or '14.03.2017'
  are read day-first, the convention of Syrian, European and most Middle Eastern sources;
  '03/14/2017' (second field above 12) is read month-first.  Times ('10:30',
  '3 pm'), counts ('2,500 insurgents'), ordinals of other things ('95th
  anniversary', 'on the 5th Division') and names made of dates ('14 March
  Alliance', '1 March Movement': a day-month followed by a capitalised name word)
  are not dates.
* A weekday named with its date ('Wednesday 29 Oct 2014', 'Monday, March 13') is
  one mention dated by the date.
* Flagged, and skipped by :func:`event_date`: datelines ('BEIRUT, March 15
  (Reuters) -', 'AFP Wednesday 29 Oct 2014') and publication stamps ('Updated 15 March 2017', 'Date of
  publication ...'), which date the report, not the event; announced or future dates
  ('will resume on Monday': the coming Monday; 'next week'); starts of periods
  ('since 2011', 'since Saturday').
* Arabic month names (Levantine 'آذار' and Egyptian 'مارس' forms) and 'أمس'
  (yesterday) / 'اليوم' (today) are read too; Arabic-Indic digits are digits.

Without ``published`` the relative forms and year-less day-months are still
returned, with ``date`` None (the event stays undated) and the precision the
expression would have; absolute dates with a year resolve anyway.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from syriamap.text._trie import chain_before, trie_pattern

__all__ = ["DateMention", "find_dates", "event_date", "FUTURE_GRACE_DAYS"]

#: A year-less day-month at most this many days after publication stays in the
#: publication year (a planned event); further ahead it is read as last year's.
FUTURE_GRACE_DAYS = 60

#: Reasons that mark a mention which does not date the event it sits in.
_NOT_EVENT_REASONS = ("future", "dateline", "publication stamp", "start of a period")


@dataclass(frozen=True)
class DateMention:
    """One date expression: absolute offsets, its date and ACLED time precision.

    ``precision`` is ACLED's ``time_precision``: 1 a day, 2 a week, 3 a month or
    coarser.  ``date`` is None when the expression is relative (or lacks a year)
    and no publication date was given.
    """

    start: int
    end: int
    surface: str
    date: _dt.date | None
    precision: int
    reasons: tuple[str, ...] = ()


# --- vocabularies -----------------------------------------------------------

# English names spelt out here: the calendar module's names follow the locale.
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS: dict[str, int] = {}
for _i, _name in enumerate(_MONTH_NAMES, 1):
    _MONTHS[_name.lower()] = _i
    _MONTHS[_name[:3].lower()] = _i
_MONTHS["sept"] = 9
_ARABIC_MONTHS = {
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9, "تشرين الأول": 10,
    "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الأول": 12, "كانون الاول": 12,
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "مايو": 5, "يونيو": 6,
    "يوليو": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10,
    "نوفمبر": 11, "ديسمبر": 12,
}
_MONTHS.update(_ARABIC_MONTHS)
_WEEKDAYS = {name.lower(): i for i, name in enumerate(_DAY_NAMES)}


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# English month names are matched with a capital first letter ('march' and 'may'
# are also verbs); the rest of the pattern is case-insensitive via (?i:...).
_EN_MONTH = (
    r"(?:Jan(?:uary)?|JANUARY|Feb(?:ruary)?|FEBRUARY|Mar(?:ch)?|MARCH|Apr(?:il)?|APRIL|May|MAY"
    r"|June?|JUNE|July?|JULY|Aug(?:ust)?|AUGUST|Sep(?:t(?:ember)?)?|SEPTEMBER|Oct(?:ober)?|OCTOBER"
    r"|Nov(?:ember)?|NOVEMBER|Dec(?:ember)?|DECEMBER)(?![a-z])\.?"
)
_MONTH = rf"(?:{_EN_MONTH}|{_alt(_ARABIC_MONTHS)})"
# Without a day next to it, a month must be spelt out ('in Mar Musa' is a monastery).
_MONTH_FULL = (
    rf"(?:{'|'.join(_MONTH_NAMES)}|{'|'.join(m.upper() for m in _MONTH_NAMES)}"
    rf"|Sept|{_alt(_ARABIC_MONTHS)})(?![a-z])"
)
# Full names only: 'Sun', 'Sat' and 'Wed' alone are words or titles ('The Sun').
_WEEKDAY = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
    r"|MONDAY|TUESDAY|WEDNESDAY|THURSDAY|FRIDAY|SATURDAY|SUNDAY)(?![a-z])"
)
_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
_ORD = r"(?:st|nd|rd|th)"
_YEAR = r"(?:19|20)\d\d"
_NUMWORD_DAYS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_COUNT = r"(?:\d{1,2}|(?i:a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))"
# Capitalised words that turn a day-month into a name ('14 March Alliance').
_NAME_WORDS = (
    r"(?:Alliance|Movement|Coalition|Forces?|Brigades?|Battalions?|Revolution|Bloc|Group|Front"
    r"|Party|Street|Square|Bridge|Stadium|Uprising|Manifesto|Agreement|Accords?|Declaration)\b"
)

# 'October last year', '5 March this year', one named group per form.
_REL_DM, _REL_MD, _REL_MY = (
    rf"\s+(?P<{form}_rely>(?i:last|this|next))\s+(?i:year)" for form in ("dm", "md", "my")
)

_PATTERN = re.compile(
    "|".join(
        [
            # 2017-03-14
            rf"(?P<iso>(?<![\d/.-])(?P<iso_y>{_YEAR})-(?P<iso_m>1[0-2]|0?[1-9])-(?P<iso_d>{_DAY})(?![\d:]))",
            # 14/03/2017, 14.03.2017, 03/14/2017
            rf"(?P<num>(?<![\d/.,:-])(?P<num_a>\d{{1,2}})(?P<sep>[/.])(?P<num_b>\d{{1,2}})(?P=sep)"
            rf"(?P<num_y>{_YEAR}|(?<=/)\d\d)(?![\d/:]|[.,]\d))",
            # 14 March 2017, the 14th of March, 10-12 March, 14 آذار
            rf"(?P<dm>(?<![\d,.\w])(?:(?i:the)\s+)?(?P<dm_d>{_DAY}){_ORD}?"
            rf"(?:\s*(?:-|–|(?i:to|and))\s*(?P<dm_d2>{_DAY}){_ORD}?)?"
            rf"(?:\s+(?i:of))?\s+(?P<dm_m>{_MONTH})(?:,?\s+(?P<dm_y>{_YEAR})|{_REL_DM})?(?![\w-])"
            rf"(?!\s+{_NAME_WORDS}))",
            # March 14, March 14th, 2017 ; not 'March 2017' (next), not 'May 5,000'
            rf"(?P<md>(?<![\w-])(?P<md_m>{_EN_MONTH})\s+(?P<md_d>{_DAY}){_ORD}?(?![\d\w]|,\d|\.\d|:\d)"
            rf"(?:,?\s+(?P<md_y>{_YEAR})(?!\d)|{_REL_MD})?(?!\s+{_NAME_WORDS}))",
            # March 2017, in March, early March, mid-March, last March
            rf"(?P<my>(?<![\w-])(?:(?P<my_mod>(?i:in\s+early|in\s+late|in\s+mid|since\s+early|since\s+late|since\s+mid|(?:in\s+)?the\s+middle\s+of|"
            rf"in|during|early|late|mid|last|this|since|until|by|from|"
            rf"of|end\s+of|beginning\s+of|start\s+of|the\s+end\s+of|the\s+start\s+of|the\s+beginning\s+of|"
            rf"earlier\s+in|later\s+in))[\s-]+)?"
            rf"(?P<my_m>{_MONTH_FULL})(?:\s+(?P<my_y>{_YEAR})(?!\d)|{_REL_MY})?(?![\w-]))",
            # in 2016, during 2015
            rf"(?P<yr>(?<![\w-])(?P<yr_mod>(?i:in|during|since|until|by))\s+(?P<yr_y>{_YEAR})(?!\w|[,.]\d|\s*%|-))",
            # the day before yesterday, yesterday's, today, tonight, last night, overnight
            r"(?P<rel>(?<![\w-])(?i:(?P<rel_dby>the\s+day\s+before\s+yesterday)|(?P<rel_y>yesterday)"
            r"|(?P<rel_ln>last\s+night)|(?P<rel_on>overnight)|(?P<rel_t>today|tonight|this\s+morning"
            r"|this\s+afternoon|this\s+evening))(?:['’]s)?(?![\w-])|(?P<rel_ary>أمس|امس|البارحة)|(?P<rel_art>اليوم))",
            # three days ago, two weeks ago, a month ago
            rf"(?P<ago>(?<![\w-])(?P<ago_n>{_COUNT})\s+(?P<ago_u>(?i:days?|weeks?|months?))"
            r"\s+(?i:ago|earlier)(?![\w-]))",
            # last week, earlier this week, this month, earlier this month, last month, next week
            r"(?P<per>(?<![\w-])(?i:(?P<per_mod>last|this|earlier\s+this|later\s+this|early\s+this|late\s+this"
            r"|earlier\s+last|late\s+last|early\s+last|next|the\s+past|the\s+previous|over\s+the|at\s+the)"
            r"\s+(?P<per_u>week(?:end)?|month))"
            r"(?![\w-]))",
            # on Monday, last Monday, Monday night, Saturday's, next Friday
            rf"(?P<wd>(?<![\w-])(?:(?P<wd_mod>(?i:on|last|next|this|late|early|since|until|by|from))\s+)?"
            rf"(?P<wd_d>{_WEEKDAY})(?:['’]s)?(?:\s+(?i:night|morning|afternoon|evening))?(?![\w-]))",
            # on the 12th (not 'on the 5th Division', 'the 95th anniversary')
            rf"(?P<nth>(?<![\w-])(?i:on\s+the)\s+(?P<nth_d>{_DAY}){_ORD}(?![\w-])"
            r"(?!\s*(?:[A-Z]|(?i:day|anniversary|century|floor|round|time|of|consecutive|straight|session|"
            r"meeting|attempt|birthday|year|month|week)\b)))",
        ]
    )
)

# The word each date expression must contain (a digit, a month, a weekday, 'yesterday',
# 'week'...).  One cheap scan finds these; the full pattern runs only in a small window
# around each, which keeps find_dates at tens of thousands of sentences per second.
_CORE_WORDS = list(_MONTH_NAMES) + [m[:3] for m in _MONTH_NAMES] + ["Sept"] + list(_DAY_NAMES)
_CORE_RELATIVE = ["yesterday", "today", "tonight", "overnight", "night", "morning", "afternoon", "evening",
                  "week", "weekend", "weeks", "month", "months", "ago"]
_CORE = re.compile(
    r"\d|(?<!\w)" + trie_pattern(
        _CORE_WORDS + [w.upper() for w in _CORE_WORDS] + _CORE_RELATIVE
        + [w.capitalize() for w in _CORE_RELATIVE] + [w.upper() for w in _CORE_RELATIVE]
        + list(_ARABIC_MONTHS) + ["أمس", "امس", "البارحة", "اليوم"]
    ) + r"(?![a-z])"
)
# Words that may precede a core word inside a date expression ('on the 12th',
# 'the day before yesterday', 'earlier this week', 'three days ago', 'mid-March').
_PREFIX_WORDS = frozenset(
    "the on in during early late mid middle last this since until by from of end beginning start earlier later "
    "day before next past previous a one two three four five six seven eight nine ten eleven twelve "
    "days over at".split()
)
_GAP = re.compile(r"[\s-]*")
_WEEKDAY_GAP = re.compile(r"\s*,?\s*")
_BEFORE_CORE = 32  # chars before the core word that a pattern may start ('the day before yesterday')

# Context looked at around a match (a small window, not the whole sentence).
_DATELINE_AFTER = re.compile(r"\s*(?:\([A-Z][\w .&-]{0,30}\)\s*)?[-–—]\s|\s*\((?:Reuters|AFP|AP|SANA|dpa|Xinhua)\)")
_DATELINE_BEFORE = re.compile(r"\s*[A-Z][A-Z' .-]{1,40},(?:\s*[A-Z][a-z]+\s*,)?\s*")
# 'AFP Wednesday 29 Oct 2014 Syrian jets...': an agency's dateline.
_AGENCY_BEFORE = re.compile(
    r"\b(?:AFP|Reuters|AP|SANA|Xinhua|dpa|Anadolu|Sputnik|TASS|RIA\s+Novosti)\s*,?\s+"
    r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\s*,?\s+)?$"
)
_STAMP_BEFORE = re.compile(
    r"(?i:updated|published|posted|last\s+modified|first\s+published|date\s+of\s+publication|dated)"
    r"(?:\s+on)?\s*:?\s*$"
)
_FUTURE_BEFORE = re.compile(
    # 'is due to meet', not 'killed due to shelling'
    r"(?i:\b(?:will|would|shall|plans?\s+to|planned|scheduled|(?:is|are|was|were)\s+due|expected|set\s+to"
    r"|to\s+be\s+held|to\s+resume)\b)"
    r"[^.;,]{0,40}$"
)


def _as_date(published) -> _dt.date | None:
    if published is None:
        return None
    if isinstance(published, _dt.datetime):
        return published.date()
    if isinstance(published, _dt.date):
        return published
    raise TypeError(f"published must be a datetime.date or None, not {type(published).__name__}")


def _safe_date(year: int, month: int, day: int) -> _dt.date | None:
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def _month_of(surface: str) -> int:
    key = surface.rstrip(".").lower()
    if key in _MONTHS:
        return _MONTHS[key]
    return _MONTHS[key[:3]]


def _weekday_of(surface: str) -> int:
    return _WEEKDAYS[surface.lower()]


def _mid_month(year: int, month: int, published: _dt.date | None) -> _dt.date:
    """The 15th of the month, or the publication day when that is earlier in the same month."""
    day = _dt.date(year, month, 15)
    if published is not None and (year, month) == (published.year, published.month):
        return min(day, published)
    return day


def _year_for(month: int, day: int, published: _dt.date, reasons: list[str]) -> _dt.date | None:
    """The day-month in the publication year, or the previous one if far in the future."""
    candidate = _safe_date(published.year, month, day)
    if candidate is None:  # 29 February of a non-leap year
        candidate = _safe_date(published.year - 1, month, day)
        if candidate is None:
            return None
        reasons.append("no year given; previous year (day not in the publication year)")
        return candidate
    ahead = (candidate - published).days
    if ahead > FUTURE_GRACE_DAYS:
        previous = _safe_date(published.year - 1, month, day)
        reasons.append(f"no year given; {candidate:%d %b} would be {ahead} days after publication: previous year")
        return previous
    if ahead > 0:
        reasons.append("future: after the publication date")
    else:
        reasons.append("no year given; publication year")
    return candidate


def _week_middle(monday: _dt.date, published: _dt.date | None) -> _dt.date:
    middle = monday + _dt.timedelta(days=3)
    return min(middle, published) if published is not None else middle


_YEAR_SHIFT = {"last": -1, "this": 0, "next": 1}

#: What a resolver returns: (date, precision, reasons), or None when the match is not a date.
_Resolved = tuple[_dt.date | None, int, list[str]] | None


def _resolve_iso(m: re.Match, published: _dt.date | None) -> _Resolved:
    """ISO date."""
    g = m.group
    date = _safe_date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
    return (date, 1, ["ISO date"]) if date else None


def _resolve_num(m: re.Match, published: _dt.date | None) -> _Resolved:
    """Numeric date."""
    g = m.group
    a, b, y = int(g("num_a")), int(g("num_b")), g("num_y")
    year = int(y) if len(y) == 4 else 2000 + int(y)
    day, month, order = a, b, "day-first"
    if month > 12 and day <= 12:
        day, month, order = b, a, "month-first (second field above 12)"
    date = _safe_date(year, month, day)
    return (date, 1, [f"numeric date read {order}"]) if date else None


def _resolve_day_month(m: re.Match, published: _dt.date | None) -> _Resolved:
    """Day month [year] or month day [year]."""
    g = m.group
    kind = m.lastgroup
    reasons: list[str] = []
    day = int(g(f"{kind}_d"))
    month = _month_of(g(f"{kind}_m"))
    year = g(f"{kind}_y")
    precision = 1
    if kind == "dm" and g("dm_d2"):
        span = int(g("dm_d2")) - day
        if span <= 0:
            return None
        precision = 2 if span < 7 else 3
        reasons.append(f"range of days; first day, precision {precision}")
    if year:
        date = _safe_date(int(year), month, day)
        return (date, precision, reasons + ["day, month and year"]) if date else None
    if _safe_date(2000, month, day) is None:  # 31 April: not a date
        return None
    if published is None:
        return None, precision, reasons + ["day and month without a year; no publication date"]
    relative_year = g(f"{kind}_rely")
    if relative_year:
        date = _safe_date(published.year + _YEAR_SHIFT[relative_year.lower()], month, day)
        return (date, precision, reasons + [f"'{relative_year.lower()} year'"]) if date else None
    date = _year_for(month, day, published, reasons)
    return (date, precision, reasons) if date else None


def _resolve_my(m: re.Match, published: _dt.date | None) -> _Resolved:
    """Month [year]."""
    g = m.group
    reasons: list[str] = []
    mod = (g("my_mod") or "").lower()
    month = _month_of(g("my_m"))
    year = g("my_y")
    relative_year = (g("my_rely") or "").lower()
    if not year and not mod and not relative_year:
        return None  # a bare capitalised 'March' or 'May' is too often a verb or a name
    if mod.startswith("since"):
        reasons.append("start of a period")
    if year:
        return _mid_month(int(year), month, published), 3, reasons + ["month and year; middle of the month"]
    if published is None:
        return None, 3, reasons + ["month without a year; no publication date"]
    if relative_year:
        return _mid_month(published.year + _YEAR_SHIFT[relative_year], month, published), 3, reasons + [
            f"'{relative_year} year'; middle of the month"]
    year_ = published.year
    if mod == "last":
        year_ -= 1 if month >= published.month else 0
    elif month > published.month:
        year_ -= 1
    reasons.append("month without a year; the latest such month; middle of the month")
    return _mid_month(year_, month, published), 3, reasons


def _resolve_yr(m: re.Match, published: _dt.date | None) -> _Resolved:
    """Year."""
    g = m.group
    reasons: list[str] = []
    mod = g("yr_mod").lower()
    year = int(g("yr_y"))
    if mod == "since":
        reasons.append("start of a period")
    date = _dt.date(year, 7, 1)
    if published is not None and date > published and year == published.year:
        date = published
    return date, 3, reasons + ["year only; 1 July"]


def _resolve_rel(m: re.Match, published: _dt.date | None) -> _Resolved:
    """'today', 'yesterday', 'last night'."""
    g = m.group
    if published is None:
        return None, 1, ["relative date; no publication date"]
    if g("rel_t") or g("rel_art"):
        return published, 1, ["'today'-like: the publication date"]
    if g("rel_dby"):
        return published - _dt.timedelta(days=2), 1, ["the day before yesterday"]
    label = "overnight" if g("rel_on") else "last night" if g("rel_ln") else "yesterday"
    return published - _dt.timedelta(days=1), 1, [f"'{label}': the day before publication"]


def _resolve_ago(m: re.Match, published: _dt.date | None) -> _Resolved:
    """'N days/weeks/months ago'."""
    g = m.group
    n = _NUMWORD_DAYS.get(g("ago_n").lower()) if not g("ago_n").isdigit() else int(g("ago_n"))
    unit = g("ago_u").lower().rstrip("s")
    if n is None:
        return None
    precision = {"day": 1, "week": 2, "month": 3}[unit]
    if published is None:
        return None, precision, ["relative date; no publication date"]
    if unit == "day":
        return published - _dt.timedelta(days=n), 1, [f"{n} days before publication"]
    if unit == "week":
        day = published - _dt.timedelta(weeks=n)
        return _week_middle(day - _dt.timedelta(days=day.weekday()), published), 2, [
            f"{n} weeks before publication; middle of that week"]
    month_index = published.year * 12 + published.month - 1 - n
    return _dt.date(month_index // 12, month_index % 12 + 1, 15), 3, [
        f"{n} months before publication; middle of that month"]


def _resolve_per(m: re.Match, published: _dt.date | None) -> _Resolved:
    """'last week', 'this month'."""
    g = m.group
    reasons: list[str] = []
    mod = re.sub(r"\s+", " ", g("per_mod").lower())
    unit = g("per_u").lower()
    precision = 3 if unit == "month" else 2
    if published is None:
        return None, precision, ["relative date; no publication date"]
    back = mod.endswith("last") or mod in ("the past", "the previous")
    if mod == "next":
        reasons.append("future")
    if unit == "month":
        shift = -1 if back else 1 if mod == "next" else 0
        month_index = published.year * 12 + published.month - 1 + shift
        return _mid_month(month_index // 12, month_index % 12 + 1, published), 3, reasons + [
            f"'{mod} month'; middle of the month"]
    monday = published - _dt.timedelta(days=published.weekday())
    if back:
        monday -= _dt.timedelta(weeks=1)
    elif mod == "next":
        monday += _dt.timedelta(weeks=1)
    if unit == "weekend":
        saturday = monday + _dt.timedelta(days=5)
        if mod == "this" and published.weekday() in range(1, 5):
            # said from Tuesday to Friday, 'this weekend' is the coming one
            return saturday, 2, reasons + ["future", "'this weekend' before it; its Saturday"]
        if saturday > published and not back and mod != "next":
            saturday -= _dt.timedelta(weeks=1)
        return saturday, 2, reasons + [f"'{mod} weekend'; its Saturday"]
    date = monday + _dt.timedelta(days=3)
    if mod != "next":
        date = min(date, published)
    if mod.startswith("earlier") and date == published and published > monday:
        date = max(monday, published - _dt.timedelta(days=1))
    return date, 2, reasons + [f"'{mod} week'; middle of that week"]


def _resolve_wd(m: re.Match, published: _dt.date | None) -> _Resolved:
    """Weekday."""
    g = m.group
    reasons: list[str] = []
    mod = (g("wd_mod") or "").lower()
    weekday = _weekday_of(g("wd_d"))
    if mod == "since":
        reasons.append("start of a period")
    if published is None:
        return None, 1, reasons + ["weekday; no publication date"]
    back = (published.weekday() - weekday) % 7
    if mod == "next":
        ahead = (weekday - published.weekday()) % 7 or 7
        return published + _dt.timedelta(days=ahead), 1, reasons + ["future", "'next' weekday"]
    if mod == "last" and back == 0:
        back = 7
    date = published - _dt.timedelta(days=back)
    return date, 1, reasons + ["weekday: the latest such day on or before publication"]


def _resolve_nth(m: re.Match, published: _dt.date | None) -> _Resolved:
    """'on the 12th'."""
    g = m.group
    day = int(g("nth_d"))
    if published is None:
        return None, 1, ["day of the month; no publication date"]
    month_index = published.year * 12 + published.month - 1
    if day > published.day:
        month_index -= 1
    for _ in range(3):  # the 31st: step back to a month that has one
        date = _safe_date(month_index // 12, month_index % 12 + 1, day)
        if date is not None:
            return date, 1, ["day of the month: the latest such day on or before publication"]
        month_index -= 1
    return None


_RESOLVERS = {
    "iso": _resolve_iso,
    "num": _resolve_num,
    "dm": _resolve_day_month,
    "md": _resolve_day_month,
    "my": _resolve_my,
    "yr": _resolve_yr,
    "rel": _resolve_rel,
    "ago": _resolve_ago,
    "per": _resolve_per,
    "wd": _resolve_wd,
    "nth": _resolve_nth,
}



def _resolve(m: re.Match, published: _dt.date | None) -> _Resolved:
    """Date, precision and reasons of one match, or None when it is not a date after all."""
    return _RESOLVERS[m.lastgroup](m, published)


def _prefix_starts(text: str, lo: int, p: int) -> list[int]:
    """Starts of the run of prefix words ('on the', 'earlier this') that ends right before ``p``."""
    return chain_before(text, lo, p, _PREFIX_WORDS, _GAP)


def _in_context(text: str, m: re.Match, date: _dt.date | None, reasons: list[str],
                published: _dt.date | None) -> tuple[_dt.date | None, list[str]]:
    """Flags from the words around a match: dateline, publication stamp, announced future."""
    s, e = m.span()
    kind = m.lastgroup
    before = text[max(0, s - 60):s]
    if kind in ("dm", "md", "iso", "num"):
        line_start = max(text.rfind("\n", 0, s) + 1, s - 60)
        if (_DATELINE_AFTER.match(text, e) and _DATELINE_BEFORE.fullmatch(text, line_start, s)) or (
                _AGENCY_BEFORE.search(before)):
            reasons.append("dateline: the publication date")
        elif _STAMP_BEFORE.search(before):
            reasons.append("publication stamp")
    if "future" not in reasons and _FUTURE_BEFORE.search(before) and (
            date is None or published is None or date >= published
            or (kind == "wd" and (m.group("wd_mod") or "").lower() != "last")):
        if kind == "wd" and date is not None and published is not None and date < published:
            date += _dt.timedelta(days=7)  # 'will meet on Monday': the coming one
            reasons = [r for r in reasons if not r.startswith("weekday")] + ["weekday: the next such day"]
        reasons.append("future: announced, not happened")
    if published is not None and date is not None and date > published and not any(
            r.startswith("future") for r in reasons):
        reasons.append("future: after the publication date")
    return date, reasons


def find_dates(text: str, start: int, end: int, published: _dt.date | None) -> list[DateMention]:
    """Every date expression in ``text[start:end]``, in text order, with absolute offsets.

    ``published`` (a ``datetime.date``; a ``datetime`` is reduced to its date)
    resolves relative forms; without it they are returned with ``date`` None.
    """
    published = _as_date(published)
    start = max(0, start)
    end = min(len(text), end)
    mentions: list[DateMention] = []
    kinds: list[str] = []
    resume = start
    for core in _CORE.finditer(text, start, end):
        p = core.start()
        if p < resume:
            continue
        # Try the full pattern, anchored, at the word starts just before the core
        # word (for 'on', 'the day before', 'three days') and at the core itself.
        starts = _prefix_starts(text, max(resume, p - _BEFORE_CORE), p) + [p]
        m = None
        for candidate in starts:
            m = _PATTERN.match(text, candidate, end)
            if m is not None and m.end() > p:
                break
            m = None
        if m is None:
            continue
        resume = m.end()
        resolved = _resolve(m, published)
        if resolved is None:
            continue
        date, precision, reasons = resolved
        kind = m.lastgroup
        date, reasons = _in_context(text, m, date, reasons, published)
        mention = DateMention(m.start(), m.end(), m.group(), date, precision,
                              tuple([f"'{m.group()}'"] + reasons))
        if mentions and kinds[-1] == "wd" and kind in ("dm", "md") and _WEEKDAY_GAP.fullmatch(
                text, mentions[-1].end, m.start()):
            # 'Wednesday 29 Oct 2014', 'Monday, March 13': the day named twice
            surface = text[mentions[-1].start:m.end()]
            mention = DateMention(mentions[-1].start, m.end(), surface, date, precision,
                                  (f"'{surface}'",) + mention.reasons[1:] + ("weekday named with the date",))
            mentions.pop()
            kinds.pop()
        mentions.append(mention)
        kinds.append(kind)
    return mentions


def event_date(dates: list[DateMention], published: _dt.date | None) -> DateMention | None:
    """The mention that dates a clause's event: the first one that can.

    Skipped: datelines and publication stamps, future or announced dates (after
    ``published`` or with a 'future' reason), and starts of periods ('since March').
    A mention with ``date`` None (no publication date) is still returned: the event
    is then undated, and the caller decides what to do.  None when no mention fits.
    """
    published = _as_date(published)
    for mention in dates:
        if any(reason.startswith(_NOT_EVENT_REASONS) for reason in mention.reasons[1:]):
            continue
        if published is not None and mention.date is not None and mention.date > published:
            continue
        return mention
    return None
