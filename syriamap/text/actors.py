"""Who did what to whom: actor mentions and the two actors of an event.

:func:`find_actors` matches the curated table ``gazetteer/actors.tsv`` (shipped as
``syriamap.gazetteer_data``) word by word, longest alias first: 'Isis', 'ISIL',
'Daesh' give ``Islamic State``; 'US-backed Syrian Democratic Forces' gives the SDF
(not the US); 'the al-Qaida-led Tahrir al-Sham group' gives Hayat Tahrir al-Sham,
because an alias followed by ``-led``/``-backed``/``-linked``... only describes the
actor that follows it.  Abbreviations written in capitals (IS, SDF, HTS) match only
in capitals, so the verb "is" is no actor.

:func:`assign_actors` picks actor1 (the one acting) and actor2 (the one acted upon)
around the clause's trigger: the subject of an active verb and its object; the
``by X`` agent of a passive and its subject; ``with X``/``against X`` in a battle;
``from X`` in a capture; ``between X and Y``; the first of "X and Y" as subject;
``fire from X`` names the shooter.  "X, backed by Y," leaves Y out, a generic name
right after a named actor joins it ("Islamic State militants").  Civilians are
never actor1.  For violence against civilians actor2 is ``Civilians`` when the
victims are civilians; protests and riots have ``Protesters``/``Rioters`` as actor1
even when the text only says "a protest".  When a battle's clause names one side
("where battles with government troops intensified"), the nearest other actor
earlier in the sentence is the other side, so pass the sentence's mentions.
Every returned mention's ``reasons`` say how it was chosen.
"""
from __future__ import annotations

import bisect
import csv
import functools
import importlib.resources
import io
from collections.abc import Callable
from dataclasses import dataclass

from syriamap.errors import DataError
from syriamap.text.clauses import Clause, scan_phrases, tokenize, words

__all__ = ["ActorMention", "ActorInfo", "actor_table", "find_actors", "assign_actors"]

#: Actor kinds of the table (column ``kind``).
KINDS = frozenset(
    {"state", "militia", "rebel", "jihadist", "kurdish", "coalition", "unidentified", "civilian", "protester", "rioter"}
)
#: Kinds whose capture of a place is "Government regains territory" (ACLED codes
#: state forces and their allied militias so).
GOVERNMENT_KINDS = frozenset({"state", "militia"})
#: Hyphenated words after an alias that make it a modifier of the actor that follows.
_DESCRIBING = frozenset(
    "led backed linked affiliated allied aligned inspired supported sponsored trained armed funded dominated".split()
)
#: Kinds of the generic names ('militants', 'troops') that only add to a named actor just before them.
_GENERIC_KINDS = frozenset({"unidentified"})
#: Hyphenated words after an alias that keep it a mention of that actor ('Isis-held').
_HOLDING = frozenset("held controlled run occupied besieged".split())


@dataclass(frozen=True, slots=True)
class ActorMention:
    """An actor named in the text (absolute offsets) with its canonical name."""

    start: int
    end: int
    surface: str
    name: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActorInfo:
    """One row of ``actors.tsv``: canonical name, kind, ISO3 country, aliases."""

    name: str
    kind: str
    country: str
    aliases: tuple[str, ...]


class ActorTableError(DataError, ValueError):
    """``actors.tsv`` does not follow its schema (line named)."""


def _key(alias: str) -> tuple[str, ...]:
    return tokenize(alias)[2]


def _case_sensitive(alias: str) -> bool:
    """Abbreviations in capitals (IS, SDF, ISIL) only match in capitals."""
    letters = [c for c in alias if c.isalpha()]
    return " " not in alias and len(letters) >= 2 and all(c.isupper() for c in letters)


@functools.lru_cache(maxsize=1)
def actor_table() -> dict[str, ActorInfo]:
    """The curated actors, keyed by canonical name (read once per process)."""
    text = importlib.resources.files("syriamap.gazetteer_data").joinpath("actors.tsv").read_text(encoding="utf-8")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader)
    if header != ["name", "kind", "country", "aliases"]:
        raise ActorTableError(f"actors.tsv: unexpected header {header}")
    table: dict[str, ActorInfo] = {}
    for (lineno, _), row in zip(lines[1:], reader):
        if len(row) != 4 or row[1] not in KINDS or row[0] in table:
            raise ActorTableError(f"actors.tsv:{lineno}: bad row {row!r}")
        aliases = tuple(a.strip() for a in row[3].split("|") if a.strip())
        table[row[0]] = ActorInfo(row[0], row[1], row[2], aliases)
    return table


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict[tuple[str, ...], list[tuple[str, str, bool]]], dict[str, int]]:
    """Aliases by word tuple -> [(canonical, alias, case-sensitive)], and the longest alias per first word."""
    index: dict[tuple[str, ...], list[tuple[str, str, bool]]] = {}
    longest: dict[str, int] = {}
    for info in actor_table().values():
        for alias in (info.name, *info.aliases):
            key = _key(alias)
            if not key:
                continue
            entries = index.setdefault(key, [])
            if all(e[1] != alias for e in entries):
                entries.append((info.name, alias, _case_sensitive(alias)))
            longest[key[0]] = max(longest.get(key[0], 0), len(key))
    return index, longest


def _match(entries: list[tuple[str, str, bool]], surface: str) -> tuple[str, str] | None:
    for name, alias, sensitive in entries:
        if not sensitive:
            return name, alias
    for name, alias, _ in entries:
        if surface.replace(".", "") == alias.replace(".", ""):
            return name, alias
    return None


def find_actors(text: str, start: int, end: int) -> list[ActorMention]:
    """Actor mentions in ``text[start:end]``, in text order, non-overlapping, longest first."""
    index, longest = _index()
    text = text[start:end]
    starts, ends, lowered = words(text)
    found: list[ActorMention] = []
    n = len(lowered)

    def take(i: int, size: int) -> bool | None:
        entries = index.get(lowered[i:i + size])
        if not entries:
            return None
        # The words must be adjacent in the text: only spaces, hyphens, apostrophes or dots between.
        if size > 1 and any(ends[j] + 3 < starts[j + 1] for j in range(i, i + size - 1)):
            return None
        a, b = starts[i], ends[i + size - 1]
        hit = _match(entries, text[a:b])
        if hit is None:
            return None
        nxt = i + size
        reasons = [f"alias {hit[1]!r} -> {hit[0]}"]
        if nxt < n and starts[nxt] == b + 1 and text[b] == "-":
            if lowered[nxt] in _DESCRIBING:
                return False  # 'al-Qaida-led X': the actor is X
            if lowered[nxt] in _HOLDING:
                reasons.append(f"'{lowered[nxt]}' by it")
        previous = found[-1] if found else None
        if (previous is not None and _kind(hit[0]) in _GENERIC_KINDS and hit[0] != previous.name
                and not text[previous.end - start:a].strip()):
            # 'Islamic State militants', 'Hezbollah fighters': one mention of the named actor.
            found[-1] = ActorMention(previous.start, start + b, text[previous.start - start:b], previous.name,
                                     previous.reasons + (f"followed by '{text[a:b]}'",))
        else:
            found.append(ActorMention(start + a, start + b, text[a:b], hit[0], tuple(reasons)))
        return True

    scan_phrases(lowered, longest, take)
    return found


# --- assigning actor1 / actor2 -------------------------------------------------

_PASSIVE_AUX = frozenset("was were been being is are be got".split())
#: Prepositions that introduce the other side ('battles with X', 'captured from X').
_OPPONENT = frozenset("with against from".split())
#: Weapons whose origin 'from X' names the one who acted.
_FIRE_WORDS = frozenset("fire shelling shells shell rockets rocket missiles missile strikes mortars artillery".split())
#: Participles whose 'by' names a helper or a holder, not the agent of the happening.
_DESCRIBED_BY = frozenset(
    """
    backed supported aided assisted dominated led joined accompanied covered helped flanked reinforced funded
    armed trained controlled held run besieged surrounded founded formed commanded
    """.split()
)
#: Triggers whose grammatical subject is the one who suffers ('six people died').
_UNACCUSATIVE = frozenset("died dies die dead lost perished".split())
#: Actors that never act in an event (they suffer it); protests and riots excepted.
_PATIENT_ONLY = frozenset({"Civilians"})


def _kind(name: str) -> str:
    info = actor_table().get(name)
    return info.kind if info else ""


def _joined_by_and(lowered: tuple[str, ...], position: Callable[[int], int], first: ActorMention,
                   second: ActorMention) -> bool:
    """Whether only 'and' (or 'and the') stands between two mentions."""
    i, j = position(first.start), position(second.start)
    if not 0 < j - i <= 10:
        return False
    gap = [w for w in lowered[i:j] if w not in first.surface.lower().split()][-2:]
    return bool(gap) and gap[0] == "and" and all(w in ("and", "the") for w in gap)


def _with_reason(actor: ActorMention, reason: str) -> ActorMention:
    return ActorMention(actor.start, actor.end, actor.surface, actor.name, actor.reasons + (reason,))


def assign_actors(
    clause: Clause, actors: list[ActorMention], classification: object | None
) -> tuple[ActorMention | None, ActorMention | None]:
    """``(actor1, actor2)`` of the clause's happening: the one acting and the one acted upon.

    ``actors`` may be those of the whole sentence: mentions inside the clause come
    first; when a battle's clause names only one side, the nearest actor before the
    clause in the same sentence is taken as the other (its reasons say so).
    ``classification`` is a :class:`syriamap.text.classify.Classification` or None
    (then the clause's first actors are taken in order).
    """
    text, base = clause.text, clause.start
    event_type = getattr(classification, "event_type", None)
    inside = [a for a in actors if base <= a.start and a.end <= clause.end]
    if classification is None:  # no trigger to read around: the first two actors, in order
        first = inside[0] if inside else None
        return first, next((a for a in inside if a.name != first.name), None) if first else None
    if event_type not in ("Protests", "Riots", "Battles") and not inside:
        return None, None
    trigger_start = getattr(classification, "trigger_start", base)
    trigger_end = getattr(classification, "trigger_end", base)
    starts, ends, lowered = words(text)
    def position(offset: int) -> int:
        """Index of the word that starts at (or after) the absolute ``offset``."""
        return bisect.bisect_left(starts, offset - base)

    trigger_index = position(trigger_start)

    def preceding(actor: ActorMention, count: int) -> list[str]:
        i = position(actor.start)
        return lowered[max(0, i - count):i]

    def by_index(i: int) -> int | None:
        """Index of the 'by' that governs the noun phrase starting at word ``i`` ('by the al-Qaida-led X')."""
        for j in range(i - 1, max(-1, i - 7), -1):
            if lowered[j] == "by":
                return j
            joined = text[ends[j]:starts[j + 1]] == "-" or (starts[j] > 0 and text[starts[j] - 1] == "-")
            if not (lowered[j] in ("the", "a", "an") or joined or text[starts[j]].isupper()):
                return None
        return None

    agent = opponent = None
    subjects: list[ActorMention] = []
    objects: list[ActorMention] = []
    for actor in inside:
        i = position(actor.start)
        by = by_index(i)
        if by is not None:
            if by < 1 or lowered[by - 1] not in _DESCRIBED_BY:
                agent = agent or actor
            # else 'X, backed by Y, ...': Y only describes X
            continue
        near = preceding(actor, 3)
        if near[-1:] == ("from",) and set(near) & _FIRE_WORDS:
            agent = agent or actor  # 'sniper fire from X', 'shelling from X'
        elif set(near[-2:]) & _OPPONENT:
            opponent = opponent or actor
        elif actor.end <= trigger_start:
            subjects.append(actor)
        else:
            objects.append(actor)
    passive = any(lowered[k] in _PASSIVE_AUX and text[starts[k]].islower()  # not the actor 'IS'
                  for k in range(max(0, trigger_index - 2), trigger_index)) or (
        trigger_index < len(lowered) and lowered[trigger_index] in _UNACCUSATIVE)
    subject = subjects[-1] if subjects else None
    if len(subjects) >= 2 and _joined_by_and(lowered, position, subjects[-2], subjects[-1]):
        subject = subjects[-2]  # 'Syrian troops and Hezbollah fighters ambushed...': the first leads
    between = next((a for a in subjects + objects if "between" in preceding(a, 2)), None)
    if between is not None:
        partner = next((a for a in subjects + objects if a.start > between.end and a.name != between.name
                        and _joined_by_and(lowered, position, between, a)), None)
        if partner is not None:
            subjects, objects, subject, agent, opponent = [between], [partner], between, None, partner
    trigger = text[trigger_start - base:trigger_end - base]
    if passive:
        actor1 = agent or next((o for o in objects if o.name != getattr(subject, "name", None)), None)
        actor2 = subject or opponent or next((o for o in objects if actor1 is None or o.name != actor1.name), None)
        how1, how2 = f"agent of '{trigger}'", f"undergoes '{trigger}'"
    elif agent is not None:  # 'Monday's bombings by X': the sentence's subject is not their target
        actor1 = agent
        actor2 = opponent or next((o for o in objects if o is not agent and o.name != agent.name), None)
        how1, how2 = f"agent of '{trigger}'", f"object or opponent of '{trigger}'"
    else:
        actor1 = subject
        actor2 = opponent or next((o for o in objects if o.name != getattr(actor1, "name", None)), None)
        how1, how2 = f"subject of '{trigger}'", f"object or opponent of '{trigger}'"
    if actor1 is not None and actor2 is not None and actor1.name == actor2.name:
        actor2 = None
    if actor1 is not None and actor1.name in _PATIENT_ONLY and event_type not in ("Protests", "Riots"):
        actor1, actor2 = None, actor1 if actor2 is None or actor2.name in _PATIENT_ONLY else actor2
        how2 = "civilians suffer, never act"
    actor1 = _with_reason(actor1, "actor1: " + how1) if actor1 is not None else None
    actor2 = _with_reason(actor2, "actor2: " + how2) if actor2 is not None else None
    if event_type in ("Protests", "Riots"):
        role = "Protesters" if event_type == "Protests" else "Rioters"
        crowd = next((a for a in inside if a.name in ("Protesters", "Rioters")), None)
        if crowd is None:
            crowd = ActorMention(trigger_start, trigger_end, text[trigger_start - base:trigger_end - base], role,
                                 (f"{role} implied by a {event_type} event",))
        other = next((a for a in (actor1, actor2) if a is not None
                      and a.name not in ("Protesters", "Rioters", "Civilians")), None)
        return crowd, other
    if event_type == "Violence against civilians":
        victims = next((a for a in inside if a.name == "Civilians"), None)
        if victims is not None and (actor2 is None or actor2.name != "Civilians"):
            actor2 = _with_reason(victims, "actor2: the victims are civilians")
    elif event_type == "Battles" and (actor1 is None) != (actor2 is None):
        present = actor1 or actor2
        outside = [a for a in actors if a.end <= base and a.name != present.name
                   and _kind(a.name) not in ("civilian", "protester", "rioter")]
        if outside:
            other = _with_reason(outside[-1], "other side named earlier in the sentence")
            actor1, actor2 = (other, present) if actor1 is None else (actor1, other)
    return actor1, actor2
