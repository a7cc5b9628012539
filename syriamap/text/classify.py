"""What happened: ACLED event type and sub-event type of a clause, with its trigger.

:func:`classify` reads a :class:`~syriamap.text.clauses.Clause` word by word against
a lexicon of cue words and phrases (verbs in their forms, nouns), each tied to a
*group* (air strike, shelling, capture of territory, killing, protest, deal...).
It then

1. drops cues that report no happening: under a modal or an intention ("would",
   "could", "plans to", "threatened to", "the planned attack"), a bare infinitive
   ("to cut"), a negation ("did not attack", "no clashes"), a gerund or noun that is
   the subject of a modal ("Striking across the river would allow..."), a noun
   that points back to an event already told ("this attack") or only qualifies
   another ("attack helicopter"), a purpose ("positions for air strikes"), and
   background ("have been fighting for six years", "the war has killed...");
   a question, a "since ..." clause or one about a long period ("over the past
   three years") reports nothing;
2. decides the type from the surviving groups by a fixed precedence (chemical
   weapon, protest/riot, suicide bomb, air strike, shelling, grenade, explosive,
   sexual violence, abduction, capture of territory, armed clash, arrests,
   killings, agreement, talks, other strategic developments) and, for killings and
   attacks, from the victims (civilians -> Violence against civilians; combatants
   -> Battles); for a capture, from the captor (state forces and their militias ->
   "Government regains territory", others -> "Non-state actor overtakes territory");
3. returns the trigger: the deciding cue when it is a verb, else the clause's
   happening verb when there is one (one naming the kind of happening, "jets
   *bombed*", else a killing verb, else the nearest: "six people *died* in a bomb
   attack"), else the deciding noun ("Saturday's Damascus *bombings*");
   ``reasons`` name the words that decided the type.

Choices documented here: peace talks that go ahead are "Strategic developments /
Other" (ACLED's "Agreement" needs a deal struck, signed or reached, as in "an
amnesty deal was struck"); a withdrawal from talks is "Change to group/activity";
patrols and deployments are "Other"; a bomb defused or an attack foiled is
"Disrupted weapons use"; a person captured is an arrest when state forces hold
them and an abduction otherwise; killings are "Violence against civilians" when
the target is civilian and "Battles" when it is armed, and an explosion, strike
or shelling stays "Explosions/Remote violence" whoever it hits, unless the clause
also reports clashes: then it is part of the battle (ACLED's rules).
A clause joined by "when" is not split from its main clause, so "six were killed
when a bomb exploded" is one explosion.  Everything is a generic rule, no text is
special-cased.  The lexicon is compiled once at import; a clause costs a few
dictionary look-ups per word.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from syriamap.schema import PARENT_TYPE
from syriamap.text.actors import GOVERNMENT_KINDS, ActorMention, actor_table, assign_actors, find_actors
from syriamap.text.clauses import Clause, is_finite_verb, scan_phrases, tokenize, words

__all__ = ["Classification", "classify", "CUE_GROUPS"]


@dataclass(frozen=True, slots=True)
class Classification:
    """An ACLED type for a clause, with the word(s) that anchor it and why.

    ``confidence`` is a heuristic score in (0, 1]: the specificity of the deciding
    cue ("chlorine gas" 0.9, "patrolled" 0.35), raised when the victims are known
    and lowered when the sub-event type had to be guessed.  ``reasons`` start with
    the deciding words and the type they gave.
    """

    event_type: str
    sub_event_type: str | None
    trigger_start: int
    trigger_end: int
    trigger: str
    confidence: float
    reasons: tuple[str, ...]


# --- lexicon ----------------------------------------------------------------
# Each line: "GROUP: v: verbs; n: nouns", entries separated by commas; an indented
# line continues the one above.  A verb entry
# "kill/killed/killing/kills" lists its forms, base form first; a verb phrase or a
# lone form ("shot dead", "overran") gets its part of speech from its ending.

_LEXICON = """
CHEM: n: chemical attack, chemical attacks, chemical weapon, chemical weapons, chemical strike, gas attack, gas
    attacks, poison gas, toxic gas, chlorine, chlorine gas, sarin, mustard gas, nerve agent, chemical munitions,
    chemical bombs, toxic chemicals
SUICIDE: n: suicide bomber, suicide bombers, suicide bombing, suicide bombings, suicide attack, suicide attacks,
    suicide attacker, suicide attackers, suicide car bomb, suicide car bombs, suicide truck bomb, suicide vest,
    suicide vests, suicide blast, suicide explosion, self detonated, blew himself up, blew herself up, blew
    themselves up, explosive belt, explosive vest
AIR: n: air strike, air strikes, airstrike, airstrikes, air raid, air raids, airraid, air attack, air attacks,
    aerial bombardment, aerial bombing, aerial attack, drone strike, drone strikes, drone attack, drone attacks,
    drones, armed drone, barrel bomb, barrel bombs, warplanes, warplane, fighter jets, jets, bombers, helicopter
    gunships, sorties, air campaign, airpower, military aircraft
AIRVERB: v: airstrike/airstruck
SHELL: n: shelling, shellings, shells, shell, artillery, artillery fire, mortar, mortars, mortar shells, mortar
    fire, rocket, rockets, rocket fire, missile, missiles, missile attack, missile strike, ballistic missile,
    cruise missiles, projectiles, projectile, bombardment, bombardments, tank fire, grad rockets, katyusha
SHELLV: v: shell/shelled/shelling/shells, bombard/bombarded/bombarding/bombards
GRENADE: n: grenade, grenades, hand grenade, grenade attack
IED: n: bomb, bombs, car bomb, car bombs, roadside bomb, roadside bombs, booby trap, booby traps, booby trapped,
    ied, ieds, improvised explosive device, improvised explosive devices, explosive device, explosive devices,
    landmine, landmines, land mine, land mines, mine blast, mine explosion, explosion, explosions, blast,
    blasts, detonation, vbied, vbieds, explosives, sticky bomb, car bombing, bomb attack, bombing, bombings
IEDV: v: explode/exploded/exploding/explodes, detonate/detonated/detonating/detonates, went off, go off, goes
    off, blew up, blow up
BOMBED: v: bombed
STRIKE: n: strike, strikes
SEXUAL: n: rape, rapes, sexual violence, sexual assault, sexual abuse, gang rape; v: rape/raped/raping, sexually
    assaulted, sexually abused
ABDUCT: v: kidnap/kidnapped/kidnapping/kidnaps, abduct/abducted/abducting/abducts, taken hostage, took hostage,
    held hostage, forcibly disappeared; n: kidnapping, kidnappings, abduction, abductions, enforced
    disappearance, hostage taking
PROTEST: v: protest/protested/protesting/protests, demonstrate/demonstrated/demonstrating/demonstrates,
    rally/rallied/rallying/rallies, march/marched/marching/marches, took to the streets, take to the streets; n:
    protesters, protestors, demonstration, demonstrations, demonstrators, sit in, vigil, general strike, hunger
    strike, went on strike, marchers
RIOT: v: riot/rioted/rioting/riots; n: rioters, violent protest, violent protests, violent demonstration, threw
    stones, hurled stones, stone throwing, pelted
MOB: n: mob, mobs, lynched, lynching, lynch mob, vigilantes, vigilante
FORCE_INT: n: dispersed, disperse, tear gas, teargas, water cannon, water cannons, rubber bullets, broke up,
    break up, beat, beaten, clubbed, batons, detained, arrested
FORCE_EXC: n: live fire, live ammunition, opened fire, shot dead, killed, killing, shot, shooting
TERRITORY: v: capture/captured/capturing/captures, seize/seized/seizing/seizes, took control, taken control,
    take control, takes control, gained control, seized control, took over, taken over, overran, overrun,
    overrunning, fell to, falls to, advanced into, wrested, wrest, storm/stormed/storming/storms, drove out,
    driven out, expelled, pushed out
RETAKE: v: retake/retook/retaken/retaking/retakes, recapture/recaptured/recapturing/recaptures,
    regain/regained/regaining/regains, liberate/liberated/liberating/liberates, liberation, regained control,
    restored control, reclaimed
CLASH: v: clash/clashed/clashing, battle/battled/battling, fight/fought, ambush/ambushed/ambushing,
    repel/repelled/repelling, repulse/repulsed, engage/engaged; n: clashes, fighting, battles, gun battle, gun
    battles, gunbattle, firefight, firefights, exchange of fire, exchanged fire, skirmish, skirmishes,
    counterattack, counter attack, counteroffensive, counter offensive, offensive, assault, assaults, combat,
    confrontations, hostilities, heavy fighting
ARREST: v: arrest/arrested/arresting/arrests, detain/detained/detaining/detains, rounded up, round up, taken
    into custody, took into custody; n: detention, detentions, arrest campaign, arrest campaigns
KILL: v: kill/killed/killing/kills, die/died/dying/dies, shot dead, gunned down, shoot/shot/shooting/shoots,
    opened fire, open fire, lost their lives, lost his life, lost her life; n: dead, deaths, fatalities,
    casualties, death toll, bodies
VACKILL: v: execute/executed/executing/executes, murder/murdered/murdering/murders, massacre/massacred,
    slaughter/slaughtered, behead/beheaded/beheading, assassinate/assassinated/assassinating,
    stab/stabbed/stabbing, torture/tortured/torturing, lynch, hacked to death, hacked at, burned alive, burnt
    alive; n: execution, executions, massacre, massacres, assassination, beheadings, summary executions
HARM: v: wound/wounded/wounding/wounds, injure/injured/injuring/injures, maimed; n: injuries, wounded, injured
ATTACK: v: attack/attacked/attacking/attacks, target/targeted/targeting/targets, hit/hits/hitting, struck,
    strike, striking, raid/raided/raiding/raids, shake/shook/shaking/shakes, rock/rocked/rocking/rocks, pounded,
    pounding, hammered, launched, launch, fired, fired at, fired on, firing at, firing on, fire at, fire on; n:
    attack, attacks, assault, raids
AGREE_N: n: agreement, agreements, deal, deals, truce, truces, ceasefire, ceasefires, cease fire, accord,
    accords, armistice, peace deal, reconciliation deal, evacuation deal, amnesty deal, amnesty, prisoner
    exchange, prisoner swap, settlement, reconciliation, memorandum
AGREE_V: v: agreed, agree, signed, sign, brokered, concluded, sealed, struck, reached, took effect, went into
    effect, came into effect, came into force, entered into force, announced, declared, surrendered, surrender
TALKS: n: talks, peace talks, negotiations, negotiation, round of talks, summit, peace conference,
    consultations, meeting, meetings
HAPPEN: v: start/started/starting/starts, begin/began/begun/beginning/begins, resume/resumed/resuming/resumes,
    went ahead, go ahead, goes ahead, held, hold, took place, take place, occurred, occur, occurs, erupted,
    erupt, erupts, broke out, break out, continued, continue, continues, ended, end, ends, opened, open, opens,
    convened, kicked off, collapsed, intensified, intensify, escalated, escalate, raged, rages, renewed
DISRUPT: v: defused, defuse, dismantled, intercepted, intercept, shot down, downed, foiled, thwarted, seized
    weapons, confiscated; n: weapons cache, arms cache, ammunition depot
HQ_V: v: established, establish, set up, built, setting up
HQ_N: n: base, bases, headquarters, outpost, military post, checkpoint, checkpoints, observation post,
    observation posts, military point
LOOT: v: loot/looted/looting, plunder/plundered, pillaged, pillage, ransacked, ransack; n: looting
PROPERTY: v: torched, set fire, set on fire, burned, burnt, burned down, demolished, razed, bulldozed,
    vandalized, vandalised, destroyed, destroy, destroying, blew up
TRANSFER: v: withdrew, withdraw, withdrawn, withdrawing, pulled out, pull out, handed over, hand over,
    evacuated, evacuate, retreated, retreat; n: withdrawal, evacuation, handover
CHANGE: v: defected, defect, merged, merge, disbanded, disband, dissolved, pledged allegiance, rebranded,
    suspended, boycotted, formed, joined; n: defection, defections, merger
OTHER: v: patrolled, patrol, patrols, patrolling, deployed, deploy, deploying, mobilized, mobilised, reinforced;
    n: curfew, reinforcements
"""

#: Irregular past forms (finite or participle).
_IRREGULAR_PAST = frozenset(
    "shot fought struck hit held began begun took taken went fell overran overrun drove driven broke beat beaten "
    "built set burnt left lost shook blew sought made won led met retook retaken downed".split()
)
#: Groups whose cue alone decides a type (sub-event type or None when it depends on context).
CUE_GROUPS: dict[str, tuple[str, str | None]] = {
    "CHEM": ("Explosions/Remote violence", "Chemical weapon"),
    "SUICIDE": ("Explosions/Remote violence", "Suicide bomb"),
    "AIR": ("Explosions/Remote violence", "Air/drone strike"),
    "AIRVERB": ("Explosions/Remote violence", "Air/drone strike"),
    "SHELL": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "SHELLV": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "GRENADE": ("Explosions/Remote violence", "Grenade"),
    "IED": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "IEDV": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "BOMBED": ("Explosions/Remote violence", None),
    "STRIKE": ("Explosions/Remote violence", None),
    "SEXUAL": ("Violence against civilians", "Sexual violence"),
    "ABDUCT": ("Violence against civilians", "Abduction/forced disappearance"),
    "PROTEST": ("Protests", "Peaceful protest"),
    "RIOT": ("Riots", "Violent demonstration"),
    "MOB": ("Riots", "Mob violence"),
    "TERRITORY": ("Battles", None),
    "RETAKE": ("Battles", None),
    "CLASH": ("Battles", "Armed clash"),
    "ARREST": ("Strategic developments", "Arrests"),
    "KILL": ("Violence against civilians", "Attack"),
    "VACKILL": ("Violence against civilians", "Attack"),
    "HARM": ("Violence against civilians", "Attack"),
    "ATTACK": ("Battles", "Armed clash"),
    "AGREE_N": ("Strategic developments", "Agreement"),
    "TALKS": ("Strategic developments", "Other"),
    "DISRUPT": ("Strategic developments", "Disrupted weapons use"),
    "HQ_N": ("Strategic developments", "Headquarters or base established"),
    "LOOT": ("Strategic developments", "Looting/property destruction"),
    "PROPERTY": ("Strategic developments", "Looting/property destruction"),
    "TRANSFER": ("Strategic developments", "Non-violent transfer of territory"),
    "CHANGE": ("Strategic developments", "Change to group/activity"),
    "OTHER": ("Strategic developments", "Other"),
}
#: Groups that only help decide (they never make an event alone).
_HELPER_GROUPS = frozenset({"FORCE_INT", "FORCE_EXC", "AGREE_V", "HAPPEN", "HQ_V"})


_POS_PRIORITY = "VGBN"


@dataclass(frozen=True, slots=True)
class _Entry:
    groups: tuple[str, ...]
    pos: str  # 'B' base verb, 'V' finite/participle, 'G' -ing, 'N' noun
    noun: bool  # also listed as a noun ('attack', 'shells')


def _pos(form: str, is_base: bool, noun: bool, alone: bool) -> str:
    """'N' noun, 'B' base verb, 'G' -ing form, 'V' other verb forms (past, participle, present).

    A verb given alone or as a phrase is read by its first word's ending.
    """
    first = form.split()[0]
    if noun:
        return "N"
    if is_base:
        return "B"
    if first.endswith("ing"):
        return "G"
    if alone and not (first.endswith(("ed", "s")) or first in _IRREGULAR_PAST):
        return "B"
    return "V"


@functools.lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[tuple[str, ...], _Entry], dict[str, int]]:
    """Cue phrases keyed by their word tuples, and the longest phrase per first word."""
    table: dict[tuple[str, ...], tuple[list[str], str]] = {}
    nouns: set[tuple[str, ...]] = set()
    for line in _LEXICON.replace("\n    ", " ").strip().splitlines():  # indented lines continue
        group, _, body = line.partition(":")
        for part in body.split(";"):
            kind, _, items = part.strip().partition(":")
            noun = kind.strip() == "n"
            for item in items.split(","):
                forms = item.strip().split("/")  # "kill/killed/killing/kills": base form first
                for number, form in enumerate(forms):
                    key = tokenize(form)[2]
                    pos = _pos(form, number == 0 and len(forms) > 1, noun, len(forms) == 1)
                    if noun and group not in _HELPER_GROUPS:
                        nouns.add(key)
                    groups, old_pos = table.get(key, ([], pos))
                    if group not in groups:
                        groups.append(group)
                    # A word listed both as a verb form and as a noun is read as the verb.
                    table[key] = (groups, min(old_pos, pos, key=_POS_PRIORITY.index))
    lexicon = {key: _Entry(tuple(groups), pos, key in nouns) for key, (groups, pos) in table.items()}
    longest: dict[str, int] = {}
    for key in lexicon:
        longest[key[0]] = max(longest.get(key[0], 0), len(key))
    return lexicon, longest


# --- modality, negation, background -----------------------------------------

#: Words that put what follows out of the realm of reported happenings ...
_INTENT = frozenset(
    """
    would could might may should will shall can must ll d planned if unless whether possible potential risk
    threat threats fear fears priority aimed prevent avoid urged urge demanded demand proposed propose
    considering consider allow allows think believe suppose guess
    """.split()
)
#: ... and words that do so only before 'to' ('vowed to attack'; 'vows' alone is a noun).
_INTENT_TO = frozenset(
    """
    wants want plans plan planning intends intend intended aims aim aiming seeks seek threatened threatens
    threaten vowed vows vow pledged pledge promised promises promise ready prepared preparing expected likely
    going hopes hope hoped about set trying tried attempt attempts attempting order
    """.split()
)
#: Determiners that point back to an event already reported ('this attack').
_ANAPHORIC = frozenset("this that these those such".split())
#: Nouns that turn a cue before them into a modifier ('attack helicopter', 'bomb shelter').
_VEHICLES = frozenset(
    "helicopter helicopters aircraft jet jets drone drones dogs submarine submarines boat boats vehicle vehicles "
    "shelter shelters squad squads plan plans unit units tunnel tunnels threat threats alert alerts".split()
)
#: Adverbs of habit: what they qualify happens often, not once ('has often been targeted').
_HABITUAL = frozenset("often frequently regularly routinely usually always sometimes habitually".split())
#: Nouns of armed groups: a '-ing' form right after one describes the group ('a coalition fighting IS').
_GROUP_NOUNS = frozenset(
    "coalition forces force groups group rebels militias militia factions faction fighters troops army units "
    "alliance brigades brigade organization organisation movement those".split()
)
_NEGATION = frozenset("not never no t without neither nor denied deny denies".split())
_MODALS = frozenset("would could might may should will shall can must ll d".split())
#: Words before a cue that make an -ed/-ing form or noun a modifier rather than a happening.
_BACKGROUND_UNITS = frozenset("years decades months".split())
#: A clause about a long period tells the background ('over the past three years').
_BACKGROUND_PERIOD_RE = re.compile(
    r"\b(?:in|over|during|for) the (?:past|last) (?:\w+ )?(?:years|decades|months)\b|\bsince (?:19|20)\d\d\b"
    r"|\bsince the (?:start|beginning|outbreak|onset)\b",
    re.IGNORECASE,
)
#: Subjects of a relative clause that tell the background, not a happening.
_BACKGROUND_SUBJECTS = frozenset("war wars conflict conflicts crisis insurgency uprising revolution campaign".split())

#: Nouns of victims that are combatants (then a killing is a battle, not violence against civilians).
_COMBATANT_WORDS = frozenset(
    """
    soldier soldiers troops fighters fighter militants militant militiamen militia members member rebels rebel
    insurgents insurgent jihadists jihadist officers officer commander commanders policemen policeman guards
    personnel servicemen gunmen attackers terrorists combatants recruits conscripts mercenaries pilot pilots
    forces elements guerrillas guerillas paramilitaries cadres
    """.split()
)
#: Nouns after a capture verb that make it a capture of territory.
_TERRITORY_WORDS = frozenset(
    """
    town towns village villages city cities district districts area areas region hill hills hilltop neighbourhood
    neighborhood neighbourhoods neighborhoods base bases airport airbase position positions bridgehead road roads
    highway crossing checkpoint checkpoints territory ground dam field fields oilfield mountain mountains quarter
    suburb suburbs outskirts countryside control stronghold strongholds front frontline villages farms farmland
    island valley plain border post posts junction bridge citadel castle camp barracks point points
    """.split()
)
#: Nouns of persons (then a capture is an abduction or an arrest).
_PERSON_WORDS = frozenset(
    """
    man men woman women child children people civilians journalist journalists activist activists soldier
    soldiers pilot fighter fighters members member commander leader prisoners hostages worker workers doctor
    officer officers boy girl family residents
    """.split()
)
_AIRCRAFT_KINDS = frozenset({"state", "coalition"})
_NON_STATE_KINDS = frozenset({"jihadist", "rebel", "kurdish", "unidentified"})


@dataclass(frozen=True, slots=True)
class _Cue:
    index: int  # word index
    size: int  # words
    start: int
    end: int
    groups: tuple[str, ...]
    pos: str
    noun: bool
    surface: str


def _cues(text: str, starts: tuple[int, ...], ends: tuple[int, ...], lowered: tuple[str, ...]) -> list[_Cue]:
    lexicon, longest = _lexicon()
    found: list[_Cue] = []

    def take(i: int, size: int) -> bool | None:
        entry = lexicon.get(lowered[i:i + size])
        if entry is None:
            return None
        a, b = starts[i], ends[i + size - 1]
        surface = text[a:b]
        if lowered[i] in ("march", "rally") and surface[0].isupper():
            return False  # the month March, a party's "Rally"
        found.append(_Cue(i, size, a, b, entry.groups, entry.pos, entry.noun or entry.pos == "N", surface))
        return True

    scan_phrases(lowered, longest, take)
    return found


def _blocked(cue: _Cue, lowered: Sequence[str], text: str, starts: Sequence[int], ends: Sequence[int]) -> str | None:
    """Why ``cue`` reports no happening, or None when it does."""
    i = cue.index
    window = lowered[max(0, i - 6):i]
    if window and window[-1] == "to" and cue.pos == "B":
        return "infinitive"
    nominal = cue.noun or cue.pos == "B"
    if window and window[-1] == "for" and cue.noun:
        return "purpose ('for' + noun)"
    if nominal and window and window[-1] in _ANAPHORIC:
        return f"refers back to an event ('{window[-1]} {cue.surface}')"
    after = cue.index + cue.size
    if nominal and after < len(lowered) and lowered[after] in _VEHICLES:
        return f"modifier of '{lowered[after]}'"
    first = max(0, i - 6)
    for k in range(i - 1, first - 1, -1):
        word = lowered[k]
        intent = word in _INTENT or (word in _INTENT_TO and lowered[k + 1] == "to")
        if intent and text[starts[k]].islower() and text[ends[k]:ends[k] + 1] != "-":
            # (not the month May, nor Will, nor 'would-be')
            return f"intention/modality '{word}'"
    if cue.pos == "V" and window and window[-1] in ("has", "have", "had") and any(
            w in _BACKGROUND_SUBJECTS for w in window[:-1]):
        return "background ('the war has killed...')"
    near = lowered[max(0, i - 3):i]
    if any(w in _NEGATION for w in near):
        return "negation"
    if any(w in _HABITUAL for w in near):
        return "habitual, not one happening"
    if (i > 0 and "CLASH" in cue.groups and cue.surface.endswith("ing") and "," not in text[ends[i - 1]:starts[i]]
            and (lowered[i - 1] in _GROUP_NOUNS or text[starts[i - 1]].isupper())):
        return f"describes a party ('{lowered[i - 1]} {cue.surface}')"
    if nominal or cue.pos == "G":
        # Subject of a modal: 'Striking across the river would allow...', 'the attack would cause...'.
        for j in range(i + cue.size, min(len(lowered), i + cue.size + 12)):
            w = lowered[j]
            if w in _MODALS and text[starts[j]].islower() and text[ends[j]:ends[j] + 1] != "-":
                return f"subject of modal '{w}'"
            if is_finite_verb(text, starts[j], ends[j], w) or w in ("which", "that", "who", "and", "as"):
                break
    if cue.pos == "G" and i >= 2 and lowered[i - 1] == "been":
        for j in range(i + 1, min(len(lowered) - 1, i + 8)):
            if lowered[j] in ("for", "since") and (lowered[j + 1] in _BACKGROUND_UNITS or
                                                   any(w in _BACKGROUND_UNITS for w in lowered[j + 1:j + 4])):
                return "background (ongoing for years)"
    return None


def _victims(cue: _Cue, clause: Clause, lowered: Sequence[str], actors: list[ActorMention]) -> str | None:
    """'civilian', 'combatant' or None: who suffered the killing or attack ``cue`` reports."""
    _, target = assign_actors(clause, actors, _Probe("Violence", clause.start + cue.start, clause.start + cue.end))
    if target is not None:
        info = actor_table().get(target.name)
        if info is not None:
            return "civilian" if info.kind == "civilian" else "combatant"
    if any(a.name == "Civilians" for a in actors):
        return "civilian"
    if any(w in _COMBATANT_WORDS for w in lowered):
        return "combatant"
    return None


@dataclass(frozen=True, slots=True)
class _Probe:
    """A provisional classification: enough for :func:`assign_actors` to find who acts."""

    event_type: str
    trigger_start: int
    trigger_end: int


def _captor_kind(cue: _Cue, clause: Clause, actors: list[ActorMention]) -> str | None:
    """Kind of the actor doing a capture (the subject, or the 'by' agent of a passive)."""
    probe = _Probe("Battles", clause.start + cue.start, clause.start + cue.end)
    captor, _ = assign_actors(clause, actors, probe)
    info = actor_table().get(captor.name) if captor is not None else None
    return info.kind if info and info.kind not in ("civilian", "protester", "rioter") else None


def _capture_object(cue: _Cue, lowered: Sequence[str], text: str, starts: Sequence[int]) -> str:
    """'territory', 'person' or 'unknown': what a capture verb took.

    Active voice reads the words after the verb ('captured the town', 'captured Tadef');
    a passive reads its subject, and a named subject is taken for a person ('Hicks was
    captured'), as places are rarely the subject of 'was captured' without a noun.
    """
    passive = cue.index > 0 and lowered[cue.index - 1] in ("was", "were", "been", "being")
    if not passive:
        for j in range(cue.index + cue.size, min(len(lowered), cue.index + cue.size + 7)):
            w = lowered[j]
            if w in _TERRITORY_WORDS or text[starts[j]].isupper():
                return "territory"
            if w in _PERSON_WORDS:
                return "person"
    for j in range(cue.index - 1, max(-1, cue.index - 7), -1):
        if lowered[j] in _PERSON_WORDS:
            return "person"
        if lowered[j] in _TERRITORY_WORDS:
            return "territory"
    if passive:
        return "person"
    return "unknown"


#: Groups of weapons named as nouns, and of verbs saying a weapon was used.
_WEAPON_NOUNS = frozenset({"CHEM", "SUICIDE", "AIR", "SHELL", "GRENADE", "IED", "STRIKE"})
_WEAPON_USE_VERBS = frozenset({"AIRVERB", "SHELLV", "IEDV", "BOMBED", "KILL", "VACKILL", "HARM"})

#: Remote violence that, in a clause with clashes, is part of the battle.
_BATTLE_SUPPORT = frozenset({"AIR", "AIRVERB", "SHELL", "SHELLV", "STRIKE", "BOMBED"})

#: Groups whose verbs can be the main verb of a clause whose type a noun decided.
_MAIN_VERB_GROUPS = frozenset(
    "AIRVERB SHELLV IEDV BOMBED SEXUAL ABDUCT PROTEST RIOT TERRITORY RETAKE CLASH ARREST KILL VACKILL HARM ATTACK "
    "AGREE_V LOOT".split()
)

#: Of those, the verbs that name the kind of happening (preferred over 'killed', then 'hit').
_SPECIFIC_VERB_GROUPS = _MAIN_VERB_GROUPS - {"KILL", "VACKILL", "HARM", "ATTACK"}

_PRECEDENCE: tuple[str, ...] = (
    "CHEM", "RIOT", "MOB", "PROTEST", "SUICIDE", "AIR", "AIRVERB", "SHELL", "SHELLV", "GRENADE", "IED", "IEDV",
    "BOMBED", "STRIKE", "SEXUAL", "ABDUCT", "RETAKE", "TERRITORY", "CLASH", "ARREST", "VACKILL", "KILL", "HARM",
    "ATTACK", "AGREE_N", "TALKS", "DISRUPT", "HQ_N", "LOOT", "TRANSFER", "CHANGE", "PROPERTY", "OTHER",
)
_BASE_CONFIDENCE = {
    "CHEM": 0.9, "SUICIDE": 0.9, "AIR": 0.85, "AIRVERB": 0.85, "SHELL": 0.85, "SHELLV": 0.85, "GRENADE": 0.85,
    "IED": 0.8, "IEDV": 0.75, "BOMBED": 0.65, "STRIKE": 0.55, "SEXUAL": 0.85, "ABDUCT": 0.8, "PROTEST": 0.8,
    "RIOT": 0.8, "MOB": 0.7, "RETAKE": 0.8, "TERRITORY": 0.7, "CLASH": 0.8, "ARREST": 0.75, "VACKILL": 0.75,
    "KILL": 0.55, "HARM": 0.5, "ATTACK": 0.5, "AGREE_N": 0.75, "TALKS": 0.6, "DISRUPT": 0.7, "HQ_N": 0.6,
    "LOOT": 0.7, "TRANSFER": 0.55, "CHANGE": 0.5, "PROPERTY": 0.45, "OTHER": 0.35,
}


def classify(clause: Clause, actors: list[ActorMention] | None = None) -> Classification | None:
    """ACLED event type of ``clause``, or None when it reports no happening.

    ``actors`` are the clause's actor mentions when the caller has found them
    already (else they are found here); they decide captures (government or not)
    and, with the victim nouns, killings (civilians or combatants).
    """
    text = clause.text
    base = clause.start
    starts, ends, lowered = words(text)
    cues = _cues(text, starts, ends, lowered)
    if not cues or text.rstrip(" \"'”’)").endswith("?"):
        return None  # no cue, or a question
    if text.startswith("since ") or _BACKGROUND_PERIOD_RE.search(text):
        return None  # background: a 'since ...' clause, or a long period
    live: list[_Cue] = []
    dropped: list[str] = []
    for cue in cues:
        why = _blocked(cue, lowered, text, starts, ends)
        if why is None:
            live.append(cue)
        elif why.startswith("habitual"):
            return None  # 'has often been targeted by rockets': the whole clause tells a habit
        else:
            dropped.append(f"'{cue.surface}' dropped: {why}")
    by_group: dict[str, list[_Cue]] = {}
    for cue in live:
        for group in cue.groups:
            by_group.setdefault(group, []).append(cue)
    if actors is None:
        actors = find_actors(clause.text, 0, len(text))
        actors = [ActorMention(a.start + base, a.end + base, a.surface, a.name, a.reasons) for a in actors]
    else:
        actors = [a for a in actors if a.start >= base and a.end <= clause.end]
    decision = _decide(clause, by_group, actors, lowered, starts)
    if decision is None:
        return None
    event_type, sub, decider, confidence, reasons = decision
    trigger = decider
    if decider.noun or decider.pos == "B":
        verbs = [c for c in live if not c.noun and c is not decider and set(c.groups) & _MAIN_VERB_GROUPS]
        happening = [c for c in live if not c.noun and "HAPPEN" in c.groups]
        specific = [c for c in verbs if set(c.groups) & _SPECIFIC_VERB_GROUPS]
        lethal = [c for c in verbs if set(c.groups) & {"KILL", "VACKILL"}]
        main = specific or lethal or verbs or happening
        if main:
            trigger = min(main, key=lambda c: abs(c.start - decider.start))
            reasons.append(f"main verb '{trigger.surface}'")
    reasons.extend(dropped)
    return Classification(
        event_type=event_type,
        sub_event_type=sub,
        trigger_start=base + trigger.start,
        trigger_end=base + trigger.end,
        trigger=trigger.surface,
        confidence=round(min(confidence, 0.95), 2),
        reasons=tuple(reasons),
    )


_BACKGROUND_RE = re.compile(r"\b(?:after|following|amid|amidst|despite)\b[^,;]{0,40}$", re.IGNORECASE)


def _decide(
    clause: Clause, by_group: dict[str, list[_Cue]], actors: list[ActorMention], lowered: Sequence[str],
    starts: Sequence[int],
) -> tuple[str, str | None, _Cue, float, list[str]] | None:
    """The type, sub-type, deciding cue, confidence and reasons, from the live cues."""
    text = clause.text
    present = set(by_group)
    table = actor_table()
    # "Turkey and Russia agreed to set up a zone": the verb alone reports the agreement.
    if "AGREE_V" in present and "AGREE_N" not in present:
        agreed = [c for c in by_group["AGREE_V"] if c.surface.lower().startswith("agree")]
        if agreed:
            by_group = {**by_group, "AGREE_N": agreed}
            present.add("AGREE_N")
    # "recaptured the town after weeks of bombardment": a noun in a background phrase
    # does not decide the type when another cue reports the happening.
    background = {
        group for group, cues in by_group.items()
        if all(c.noun and _BACKGROUND_RE.search(text, max(0, c.start - clause.start - 40), c.start - clause.start)
               for c in cues)
    }
    if background and present - background:
        present -= background
    # Agreements and talks need a verb saying they happened.
    if "AGREE_N" in present and "AGREE_V" not in present:
        present.discard("AGREE_N")
    if "TALKS" in present and "HAPPEN" not in present:
        present.discard("TALKS")
    if "HQ_N" in present and "HQ_V" not in present:
        present.discard("HQ_N")
    if "AGREE_N" in present and "STRIKE" in present:
        present.discard("STRIKE")  # "a deal was struck"
    if "AGREE_N" in present:
        present -= {"ATTACK"}  # "struck a deal"
    if "DISRUPT" in present and not present & _WEAPON_USE_VERBS:
        present -= _WEAPON_NOUNS  # "defused a car bomb": the bomb never went off
        if all(c.noun or c.pos == "B" for c in by_group.get("ATTACK", ())):
            present.discard("ATTACK")  # "the attack was foiled"
    candidates = [g for g in _PRECEDENCE if g in present]
    if not candidates:
        return None
    group = candidates[0]
    in_battle = group in _BATTLE_SUPPORT and "CLASH" in present
    if in_battle:
        group = "CLASH"  # shelling or strikes during clashes: ACLED codes the battle
    cue = by_group[group][0]
    event_type, sub = CUE_GROUPS[group]
    confidence = _BASE_CONFIDENCE[group]
    reasons: list[str] = []
    kinds = {table[a.name].kind for a in actors if a.name in table}

    if group in ("PROTEST", "RIOT", "MOB"):
        violent = present & {"RIOT", "MOB"} or present & {"PROPERTY", "LOOT"}
        if group == "PROTEST" and violent:
            extra = by_group[next(iter(sorted(violent)))][0]
            event_type, sub = "Riots", "Mob violence" if "MOB" in present else "Violent demonstration"
            reasons.append(f"'{extra.surface}' -> violent")
        elif group == "PROTEST" and present & {"FORCE_EXC", "KILL", "VACKILL"}:
            lethal = next(c for g in ("FORCE_EXC", "KILL", "VACKILL") for c in by_group.get(g, ()))
            sub = "Excessive force against protesters"
            reasons.append(f"'{lethal.surface}' -> lethal force against protesters")
        elif group == "PROTEST" and present & {"FORCE_INT", "ARREST"}:
            force = next(c for g in ("FORCE_INT", "ARREST") for c in by_group.get(g, ()))
            sub = "Protest with intervention"
            reasons.append(f"'{force.surface}' -> intervention")
    elif group in ("BOMBED", "STRIKE"):
        if kinds & _AIRCRAFT_KINDS:
            sub = "Air/drone strike"
            reasons.append("state or coalition actor -> air strike")
        else:
            sub = "Remote explosive/landmine/IED" if group == "BOMBED" else "Air/drone strike"
            confidence -= 0.1
    elif group in ("TERRITORY", "RETAKE"):
        obj = _capture_object(cue, lowered, text, starts)
        captor = _captor_kind(cue, clause, actors)
        if obj == "person" and group == "TERRITORY" and not any(lowered[cue.index].startswith(p) for p in ("storm",)):
            if captor in GOVERNMENT_KINDS:
                event_type, sub = "Strategic developments", "Arrests"
            else:
                event_type, sub = "Violence against civilians", "Abduction/forced disappearance"
            reasons.append("a person captured -> " + sub)
        elif lowered[cue.index].startswith("storm") and obj != "territory":
            sub = "Armed clash"
        elif captor in GOVERNMENT_KINDS:
            sub = "Government regains territory"
            reasons.append("captor is state forces or allied militia")
        elif captor is not None:
            sub = "Non-state actor overtakes territory"
            reasons.append(f"captor is a {captor} group")
        elif group == "RETAKE":
            sub = "Government regains territory"
            confidence -= 0.15
            reasons.append("retaking without a named captor: assumed government")
        else:
            sub = "Armed clash"
            confidence -= 0.2
            reasons.append("capture without a named captor")
    elif group == "ARREST" and not kinds & GOVERNMENT_KINDS and kinds & _NON_STATE_KINDS:
        event_type, sub = "Violence against civilians", "Abduction/forced disappearance"
        reasons.append("detained by a non-state group -> abduction")
    elif group in ("KILL", "HARM", "ATTACK", "VACKILL"):
        victims = _victims(cue, clause, lowered, actors)
        if present & {"CLASH"}:
            event_type, sub = "Battles", "Armed clash"
        elif victims == "civilian":
            event_type, sub = "Violence against civilians", "Attack"
            confidence += 0.15
            reasons.append("victims are civilians")
        elif victims == "combatant" and group != "VACKILL":
            event_type, sub = "Battles", "Armed clash"
            confidence += 0.1
            reasons.append("combatants on both sides")
        elif group == "ATTACK":
            event_type, sub = "Battles", "Armed clash"
        else:
            event_type, sub = "Violence against civilians", "Attack"
    elif group == "TRANSFER" and "TALKS" in by_group:
        sub = "Change to group/activity"
        reasons.append("withdrawal from talks")
    if in_battle:
        reasons.append("remote violence during clashes is coded as the battle")
    if len(candidates) > 1:
        reasons.append("also: " + ", ".join(f"'{by_group[g][0].surface}'" for g in candidates[1:4]))
    assert sub is None or PARENT_TYPE[sub] == event_type
    reasons.insert(0, f"'{cue.surface}' -> {event_type}" + (f"/{sub}" if sub else ""))
    return event_type, sub, cue, confidence, reasons
