"""Queries as people type them: "Aleppo, Syria", "Douma, Rif Dimashq", "Homs (Syria)".

A geocoder user writes the country or the province after the name, as they
would in a search box; :func:`parse_query` splits such a query into the name and
the hints it carries, so the lookup constrains on them instead of looking the
whole string up as one name.  A part that is neither a country nor a
first-level division nor a known settlement is kept in ``unknown`` and reported
by the lookup, never silently dropped.  Parentheses that hold another name of
the place ("Al-Rai town (Choban Bey)") are left alone.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_PAREN_RE = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<inner>[^()]+)\)\s*$")


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query split into the name and the hints its other parts give.

    ``country`` is an ISO2 code; ``admin1`` a division's name as typed;
    ``within`` a settlement the place is in ("Hamra, Beirut"), as typed;
    ``unknown`` the parts that were none of these.
    """

    name: str
    country: str | None = None
    admin1: str | None = None
    within: str | None = None
    unknown: tuple[str, ...] = ()

    @property
    def has_hints(self) -> bool:
        return bool(self.country or self.admin1 or self.within or self.unknown)


def parse_query(
    query: str,
    *,
    country_code: Callable[[str], str | None],
    is_admin1: Callable[[str, str | None], bool],
    is_settlement: Callable[[str, str | None], bool],
) -> ParsedQuery:
    """Split ``query`` into a name and hints.

    ``country_code(text)`` gives the ISO2 code of a country name or code (or
    ``None``), ``is_admin1(text, country)`` says whether ``text`` names a
    first-level division (of that country), ``is_settlement(text, country)``
    whether it names a town.  Parts are read from the last one back ("Hamra,
    Beirut, Lebanon"): a country, then divisions or settlements.  A query
    without a comma or a trailing parenthesis is returned as it is.
    """
    text = " ".join(query.split())
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1:
        m = _PAREN_RE.match(text)
        if not m:
            return ParsedQuery(text)
        inner = m.group("inner").strip()
        code = country_code(inner)
        if code is not None:
            return ParsedQuery(m.group("name").strip(), country=code)
        if is_admin1(inner, None):
            return ParsedQuery(m.group("name").strip(), admin1=inner)
        return ParsedQuery(text)  # another name of the place: the lookup reads it as an alternative
    name, rest = parts[0], [p for p in parts[1:] if p]
    if not name:
        return ParsedQuery(text)
    country = admin1 = within = None
    unknown: list[str] = []
    for part in reversed(rest):
        if country is None and (code := country_code(part)) is not None:
            country = code
        elif admin1 is None and is_admin1(part, country):
            admin1 = part
        elif within is None and is_settlement(part, country):
            within = part
        else:
            unknown.insert(0, part)
    return ParsedQuery(name, country=country, admin1=admin1, within=within, unknown=tuple(unknown))
