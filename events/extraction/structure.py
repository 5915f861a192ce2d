"""Roles and places from a sentence's structure."""

import re
from dataclasses import replace

from ..choices import ROLE_ORDER
from ..gazetteer.cities import cities
from .morphology import _russian
from .reading import _squeeze

_CAUSE = re.compile(
    r"\b(?:after|since|(?<!the )following|in (?:response|retaliation|reaction) (?:for|to)|because of|owing to"
    # "closed due to sanctions", but not "is due to meet": that is a schedule.
    r"|(?<!is )(?<!are )(?<!was )(?<!were )(?<!be )due to"
    r"|as an? (?:response|reaction|retaliation) (?:for|to)"
    r"|после|в ответ на|из-за|в связи с|вслед за|с тех пор как"
    r"|(?:ответ|отреагир)\w*\s+на)\b",
    re.I,
)
_RECIPROCAL = re.compile(r"\b(?:each other|one another|mutual(?:ly)?|tit-for-tat|друг друга|взаимн\w*)\b", re.I)

SYMMETRIC_FAMILIES = frozenset({"talks", "meeting", "agreement"})
"""Event families where the sides act together: everyone named takes part, no one acts on another."""
STATE_ACT_FAMILIES = frozenset({"sanctions", "flights", "property", "diplomats", "missions"})
"""Acts only a state can do: a person or ministry doing them acts for its state, which is named too."""


def cause_spans(text):
    """Clauses about an earlier event ("after the escalation ... in February 2022", "in response to ..."):
    from the trigger to the next comma, semicolon or dash, or the end."""
    spans = []
    for match in _CAUSE.finditer(text):
        if duration := _DURATION.match(text, match.end()):
            # "after a 12-year suspension", "after 12 years": how long, not an earlier event; what follows
            # ("on Wednesday") is the sentence's own.
            spans.append((match.start(), duration.end()))
            continue
        end = re.search(r"[,;:—–]|\s-\s", text[match.end() :])
        spans.append((match.start(), match.end() + end.start() if end else len(text)))
    return spans


_DURATION = re.compile(
    r"\s+(?:(?:a|an)\s+(?:[\w]+[- ])?(?:year|month|week|day)(?:-long)?\s+(?-i:[a-z]+)"
    r"|(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many)\s+(?:years|months|weeks|days))\b",
    re.I,
)


def _inside(position, spans):
    return any(a <= position < b for a, b in spans)


# "in Saudi Arabia", "at the Kremlin", "в Москве", "в столицу Армении"; where a visit goes: "visits Iran",
# "visit to Russia", "посетил"; the state after a city ("in Tashkent, Uzbekistan").
_PLACE_BEFORE = re.compile(
    r"\b(?:in|at)\s+(?:the\s+)?(?:capital\s+of\s+)?$|(?:^|\s)(?:[Вв]|[Вв]о)\s+(?:столиц[еуы]\s+)?$"
    r"|\bvisit(?:s|ed|ing)?\s+(?:to\s+)?(?:the\s+)?$|\btrip\s+to\s+(?:the\s+)?$|\bпосетил[аи]?\s+$"
    # "in Tashkent, Uzbekistan", "to Geneva, Switzerland": a city, then its state.
    r"|\b(?:in|at|to)\s+(?-i:[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?),\s*$",
    re.I,
)


def places(text, mentions, actors):
    """Mentions of states that say where ("in Saudi Arabia and Türkiye", "at the Kremlin")."""
    result, previous = [], None
    for mention in mentions:
        actor = actors.get(mention.actor)
        if actor is None or actor.kind != "state":
            previous = None
            continue
        before = text[: mention.start]
        # "in Saudi Arabia and Türkiye", "в Экваториальной Гвинее и Буркина-Фасо".
        gap = text[previous.end : mention.start] if previous is not None else None
        listed = gap is not None and re.fullmatch(r"\s*(?:,|and|,\s*and|и|,\s*и)\s*", gap)
        if _PLACE_BEFORE.search(before) or listed:
            result.append(mention)
            previous = mention
        else:
            previous = None
    return result


_NOT_PLACES = frozenset(
    "January February March April May June July August September October November December Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday The A An His Her Their Its This That".split()
)


def _unknown_place(text):
    """A capitalised place after 'in' or 'at' that no actor names ("talks in Istanbul")."""
    for match in re.finditer(r"\b(?:in|at)\s+(?P<place>[A-ZÀ-ÝİŞ][\w’'-]+(?:\s+[A-Z][\w-]+)?)", text):
        words = match["place"].split()
        if words[0] not in _NOT_PLACES and not re.match(r"\d", words[0]):
            return " ".join(w for w in words if w not in _NOT_PLACES)
    return None


def _roles(sentence, mentions, claim, code, anchor, actors, language="en"):
    """[(actor, role)] and the locations [{name, country, host}] of a sentence's event."""
    family = code.split(".")[0]
    where = places(sentence, mentions, actors)
    speaker = claim.mention if claim and claim.kind == "speech" else None
    # "by the US" acts; "persons employed by the Romanian Embassy" are the embassy's, acted on.
    agents = [
        m
        for m in mentions
        if re.search(r"\bby\s+(?:the\s+)?$", sentence[: m.start], re.I) and not _PATIENT_AFTER.match(sentence, m.end)
    ]
    others = [m for m in mentions if m not in where and m is not speaker and m not in agents]
    roles = []

    def add(actor_id, role):
        if actor_id and (actor_id, role) not in roles:
            roles.append((actor_id, role))

    if family == "statement":
        # The speaker; without an attribution ("Russia issued a statement"), who comes before the keyword.
        before = [m.actor for m in others if m.start < anchor]
        speaker = claim.actor if claim else (before or [m.actor for m in others] or [None])[0]
        add(speaker, "initiator")
        own_side = actors.side(speaker) if speaker else None
        for mention in mentions:
            actor = actors.get(mention.actor)
            if actor and actor.kind == "state" and actors.side(actor.id) != own_side and mention not in agents:
                add(actor.id, "target")
    elif family in SYMMETRIC_FAMILIES:
        # "Moscow proposed a meeting between Putin and Trump": those between meet, the one before proposes.
        between = _between(sentence, others)
        for mention in agents:
            add(mention.actor, "initiator")
        for mention in others:
            if len(between) >= 2 and mention not in between and mention.start < anchor:
                add(mention.actor, "initiator")
            elif mention.actor not in _actors_of(roles):
                add(mention.actor, "participant")
        for actor_id in _actors_of(roles):
            # A minister or envoy at talks stands for their state; a head of state at a summit is the party.
            actor = actors.get(actor_id)
            if actor and actor.kind == "person" and not actors.is_leader(actor_id):
                add(actors.state_of(actor_id), "participant")
        sides = {actors.side(a) for a in _actors_of(roles)}
        if claim and len(sides) < 2 and actors.side(claim.actor) not in sides:
            # Talks have two sides; the one telling of them, when not named otherwise, is the other.
            add(actors.state_of(claim.actor) or claim.actor, "participant")
    else:
        if language == "ru":
            # "американскими властями предписано покинуть", "высылку Вашингтоном": the instrumental is the agent.
            agents += [m for m in mentions if m not in agents and m not in where and _is_instrumental(sentence, m)]
            others = [m for m in others if m not in agents]
        if speaker and speaker.start < anchor and not _CLAUSE_BREAK.search(sentence, speaker.end, anchor):
            # "France and Germany have announced the expulsion": who announces the act, does it.
            others = sorted([*others, speaker], key=lambda m: m.start)
        # Whose diplomats, embassy or aircraft ("US diplomats", "Russia's embassy", "дипломатов России"), and
        # who it is against ("sanctions on Russia", "против России"), are acted on, wherever they stand.
        patients = [m for m in others if _is_patient(sentence, m)]
        owners = []
        if family == "missions" and not any(m.start < anchor and m not in patients for m in others):
            owners, patients = patients, []  # "Britain's embassy in Tehran reopened": the owner reopens its own
        if language == "ru" and code == "diplomats.staff_limits" and len({m.actor for m in where}) == 1:
            # "США сократят штат своих дипмиссий в России": the state the missions stand in limits their staff;
            # not of "диппредставительствах Молдовы в России и России в Молдове", each side's missions.
            agents += [m for m in where if m not in agents]
        if language == "ru" and family == "sanctions":
            # "санкции ЕС против Норвегии были введены": whose sanctions they are, imposes them.
            agents += [m for m in others if m not in agents and _SANCTIONS_OF.search(sentence, 0, m.start)]
            others = [m for m in others if m not in agents]
        if language == "ru" and family == "flights":
            # "воздушное пространство России закрыто для ...": the owner of the airspace closes it.
            agents += [m for m in others if _AIRSPACE_OWNER.search(sentence, 0, m.start)]
            others = [m for m in others if m not in agents]
        if language == "ru" and family == "flights":
            # "возобновит полёты в Швецию, Данию": where the flights go is whom the act concerns, not a venue.
            others = sorted(
                [*others, *(m for m in where if m.start > anchor and m not in agents)], key=lambda m: m.start
            )
        acted_on = patients + [m for m in others if _AGAINST.search(sentence, 0, m.start) or _is_dative(m, language)]
        # "The American side has been given a roadmap": the subject of a passive of giving receives it.
        acted_on += [m for m in others if m not in acted_on and _GIVEN.match(sentence, m.end)]
        if family == "proposal":
            # "Moscow has given to Washington the roadmap", "offered Iran": whom a proposal is made to.
            acted_on += [m for m in others if m not in acted_on and _OFFERED_TO.search(sentence, 0, m.start)]
        origins = [m for m in others if _FROM.search(sentence, 0, m.start)]
        subjects = [m for m in others if m not in acted_on and _is_subject(m, language)] or _listed(sentence, others)
        before = [m for m in others if m.start < anchor and m not in acted_on and m not in origins]
        initiators = agents or subjects or before
        if speaker and _SAID_IT.fullmatch(sentence, speaker.end, anchor):
            # "The ministry said it was expelling ... (killings by Russian troops)": "it" is the one who said.
            initiators, agents = [speaker], []
        if not initiators and not agents and len(between := _between(sentence, others)) >= 2:
            # "Air traffic between Russia and Egypt was interrupted": both sides, neither named as doing it.
            for mention in between:
                add(mention.actor, "participant")
            others = [m for m in others if m not in between]
        if not initiators and family == "diplomats":
            initiators = origins  # "23 diplomats were expelled from the UK": the UK expels them
        if not initiators and where and not [m for m in others if m not in owners]:
            initiators = owners  # "the embassy of Iran in London reopened": nobody else acts, a host is named
        if not initiators and code == "flights.resumed":
            # "Syria's national airline resumed regular services to Saudi Arabia": the airline's state resumes.
            initiators = [m for m in patients if m.start < anchor]
        targets = [m for m in others if m not in initiators and (agents or m.start >= anchor or m in acted_on)]
        if family == "missions":
            for mention in where:
                add(mention.actor, "host")  # "the embassy in Tehran": its receiving state
        for mention in initiators:
            add(mention.actor, "initiator")
        if not initiators and claim:
            # "Our proposals ...", Lavrov said: the speaker's state; "Russia said it expelled ...": the speaker.
            first_person = re.search(r"\b(?:we|our|мы|нам|нас|наш\w*)\b", sentence, re.I)
            add(actors.state_of(claim.actor) if first_person else claim.actor, "initiator")
        if family in STATE_ACT_FAMILIES:
            for actor_id in list(_actors_of(roles, "initiator")):
                add(actors.state_of(actor_id) or _body_of(actor_id, actors), "initiator")
        initiator_ids = set(_actors_of(roles, "initiator"))
        for mention in targets:
            if mention.actor not in initiator_ids:
                add(mention.actor, "target")
        if _RECIPROCAL.search(sentence):
            for actor_id in initiator_ids:
                add(actor_id, "target")
        elif not _actors_of(roles, "target", "host") and len({actors.side(a) for a in initiator_ids}) >= 2:
            # "Russia and Georgia have reopened air traffic": a joint act, on nobody else; both take part.
            roles = [(a, "participant") for a, _ in roles]
    locations = _locations(sentence, where, family, actors, language)
    hosts = {location.get("host") for location in locations}
    roles = [(a, r) for a, r in roles if a not in hosts or r != "participant"]
    # "The United States has ordered Russia to close its consulate in San Francisco": the state that closes a
    # mission on its own soil acts; it is not also the mission's host.
    initiators = set(_actors_of(roles, "initiator"))
    roles = [(a, r) for a, r in roles if r != "host" or a not in initiators]
    return roles, locations


_PATIENT_NOUNS = (
    r"(?:diplomat|embass|consul|mission|employee|staff|personnel|official|aircraft|plane|carrier|airline|propert"
    r"|school|compound|asset|dacha|residence|envoy|ambassador|attach|officer|airliner"
    r"|дипломат|дипсотрудник|посольств|консульств|генконсульств|сотрудник|персонал|самолет|самолёт|авиакомпани|собственност"
    r"|дипсобственност|дач|школ|мисси(?:и|ю|й|ям|ях)|посл[аеуо]|атташе|чиновник)"
)
# "US diplomats", "Russia's embassy", "Russian military intelligence officer": a word of its own, or two that
# say what kind of officer or mission; a coordinated adjective shares the noun: "эстонской и латвийских миссий".
_PATIENT_AFTER = re.compile(
    rf"(?:['’]s)?(?:\s+и\s+[^\W\d_]+)?\s+(?:(?P<between>[^\W\d_]+)\s+)?"
    # Not an adverb the noun begins: "The United States has officially told ..." names no officials.
    rf"(?:(?:military|intelligence|defen[cs]e|consular|trade)\s+)?{_PATIENT_NOUNS}(?!ly\b)",
    re.I,
)
# "the ambassadors of Libya and Tunisia": each state of the list after the noun owns it.
_PATIENT_BEFORE = re.compile(
    rf"{_PATIENT_NOUNS}\w*\s+(?:of\s+)?(?:the\s+)?(?:(?-i:[A-Z][\w'’-]*)(?:\s+(?-i:[A-Z][\w'’-]*))?(?:,|\s+and)\s+)*$",
    re.I,
)
_AGAINST = re.compile(
    # "sanctions on Russia"; "ordered Russia to close", "requiring the Russian government to close": made to act.
    r"\b(?:against|on|upon|против|в отношении|order(?:s|ed|ing)?|requir(?:es|ed|ing)|forc(?:es|ed|ing)"
    # "told the Syrian government to suspend", "notified Finland of its decision to expel": whom an act is
    # announced to is the one it is done to.
    r"|compel(?:s|led|ling)?|told|tell(?:s|ing)?|instruct(?:s|ed|ing)?|notif(?:y|ies|ied|ying)"
    r"|inform(?:s|ed|ing)?)\s+(?:the\s+)?$",
    re.I,
)
_SANCTIONS_OF = re.compile(r"\b(?:санкци[йиям]{1,3}|рестрикци[йиям]{1,3})\s+$", re.I)
_AIRSPACE_OWNER = re.compile(r"\b(?:воздушн\w+\s+пространств\w+|неб[оау]|небом)\s+$", re.I)
_OFFERED_TO = re.compile(
    r"\b(?:to|offer(?:s|ed)?|propos(?:es|ed)\s+to|g[ai]ve[ns]?|hand(?:s|ed)?|sen[dt]s?|present(?:s|ed)?)\s+(?:the\s+)?$",
    re.I,
)
_GIVEN = re.compile(
    r"(?:\s+(?-i:[a-z]+))?\s+(?:(?:has|have|had)\s+(?:also\s+)?been|was|were|is|are|will\s+be)\s+(?:also\s+)?"
    r"(?:given|offered|handed|presented|sent|shown|promised)\b",
    re.I,
)
_FROM = re.compile(r"\b(?:from|to\s+leave|из)\s+(?:the\s+)?$", re.I)


# "said it was expelling", "announced on Monday that they would close": the speaker does the act it reports.
_SAID_IT = re.compile(
    r"\s+(?:(?:has|have|had)\s+)?(?:said|says|announced|announces|confirmed|confirms)\s+(?:on\s+\w+\s+)?(?:that\s+)?"
    r"(?:it|they)\s+(?:(?:was|were|is|are|had|has|have|would|will|will\s+be|would\s+be|had\s+been|has\s+been)\s+)?"
    r"(?:\w+\s+)?",
    re.I,
)
# Between a verb of saying and the act: the act is reported ("said it was expelling"), not announced.
_CLAUSE_BREAK = re.compile(r"[,;:«“\"]|\b(?:that|it|they|he|she|we|its|their|что|он[аи]?)\b", re.I)


def _listed(sentence, mentions):
    """ "The following countries have closed their airspace ...: Poland, Latvia": the list is the subject."""
    if not re.match(r"\s*(?:the\s+)?following\s+\w+", sentence, re.I) or ":" not in sentence:
        return []
    colon = sentence.index(":")
    return [m for m in mentions if m.start > colon]


def _is_subject(mention, language):
    """A Russian name in the nominative only ("Латвия", "Москва"; not "России", not the indeclinable "США"): the
    subject, whether it stands before the verb or after it ("Решение ... приняли Латвия, Литва и Эстония")."""
    if language != "ru":
        return False
    word = re.match(r"[^\W\d_]+", mention.text)
    if not word or not re.match(r"[А-ЯЁ]", word.group()):
        return False
    cases = {parse.tag.case for parse in _russian().parse(word.group()) if parse.score >= 0.05}
    return cases == {"nomn"}


def _is_dative(mention, language):
    """A Russian name that can only be dative ("Вашингтону запрещено нанимать", "авиакомпаниям 36 стран"
    is not a name): the one an act is addressed to."""
    word = re.match(r"[^\W\d_]+", mention.text) if language == "ru" else None
    if not word or not re.match(r"[А-ЯЁ]", word.group()):
        return False
    return {parse.tag.case for parse in _russian().parse(word.group()) if parse.score >= 0.05} == {"datv"}


def _is_instrumental(sentence, mention):
    """A Russian name or adjective that can only be instrumental, not after a preposition ("с Россией" is
    company, not agency): who does what a passive or a noun of action says ("выдворены Москвой")."""
    word = re.match(r"[^\W\d_]+", mention.text)
    if not word or _GOVERNED_INSTRUMENTAL.search(sentence[: mention.start]):
        return False
    cases = {parse.tag.case for parse in _russian().parse(word.group()) if parse.score >= 0.05}
    return cases == {"ablt"}


# A preposition that governs the instrumental, then the list its noun opens, each item of which it governs too:
# "с Испанией, Ираком, Кенией и Словакией", "со странами СНГ: Белоруссией, Казахстаном и Киргизией".
_LIST_ITEM = r"[^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*)?"
_GOVERNED_INSTRUMENTAL = re.compile(
    r"(?:^|\s)(?:с|со|между|над|под|за|перед|вместе с|рядом с)\s+"
    r"(?:(?:[^\W\d_][\w-]*\s+){0,3}[^\W\d_][\w-]*:\s+)?"
    rf"(?:{_LIST_ITEM}\s*(?:,|\s+и)\s+)*$",
    re.I,
)


def _is_patient(sentence, mention):
    """A state named as the owner of diplomats, a mission, aircraft or property: acted on, not acting."""
    after = _PATIENT_AFTER.match(sentence, mention.end)
    if after and after["between"] and _is_russian_verb(after["between"]):
        after = None  # "МИД России объявил послу Греции": the subject, then its verb, then whom it is told to
    if after and after["between"] and re.fullmatch(r"(?-i:[a-z]+ed)", after["between"]):
        after = None  # "Norway removed diplomatic status": the subject and its verb, no owner
    return bool(after or _PATIENT_BEFORE.search(sentence[: mention.start]))


def _is_russian_verb(word):
    """A Russian verb's form (not a participle, which qualifies the noun after it as an adjective does)."""
    if not re.fullmatch(r"[а-яё]+", word, re.I):
        return False
    return any(p.tag.POS in {"VERB", "INFN"} for p in _russian().parse(word.lower()) if p.score >= 0.2)


def _between(sentence, mentions):
    """The mentions listed after "between" ("between Vladimir Putin and Donald Trump")."""
    match = re.search(r"\bbetween\s+|(?:^|\s)между\s+", sentence)
    if not match:
        return []
    listed, position = [], match.end()
    for mention in mentions:
        if mention.start < position:
            continue
        separator = r"\s*(?:,|and|,\s*and|&|и)\s+(?:the\s+)?" if listed else r"(?:the\s+)?"
        if not re.fullmatch(separator, sentence[position : mention.start]):
            break
        listed.append(mention)
        position = mention.end
    return listed


def _locations(sentence, where, family, actors, language="en"):
    """Where a meeting, talks or an agreement took place: one location per place named (each place is its
    own event: "two rounds of talks in Saudi Arabia and Türkiye"). Other events get none: "the US Embassy in
    Moscow" says where the embassy is, not where an expulsion happened."""
    if family not in SYMMETRIC_FAMILIES:
        return []
    result = []
    for mention in where:
        actor = actors.get(mention.actor)
        location = {"name": mention.text[:200], "country": actor.country or None, "lat": None, "lon": None}
        result.append({**location, "host": actor.id})
    if not result:
        name, city = _city(sentence, language)
        name = name or _unknown_place(sentence)
        if name:
            result.append({"name": name[:200], "country": city.country if city else None, "lat": None, "lon": None})
    return result


_CITY = {
    "en": re.compile(r"\b(?:in|at)\s+(?:the\s+)?(?P<place>[A-ZÀ-Ý][\w’'.-]*(?:\s+[A-Za-z][\w’'.-]*){0,3})"),
    "ru": re.compile(r"(?:^|[\s(«\"])(?:[Вв]|[Вв]о)\s+(?P<place>[А-ЯЁ][а-яёА-ЯЁ-]*(?:\s+[А-ЯЁ][а-яё-]*)?)"),
}

# Where a delegation or an envoy goes, when no city is named after "in" or "at": "lead the delegation to Geneva".
_CITY_TO = {
    "en": re.compile(
        r"\b(?:delegations?|travel(?:s|led|ed|ling|ing)?|trips?|head(?:s|ed|ing)?|fl(?:y|ies|ew|ying))\s+to\s+"
        r"(?P<place>[A-ZÀ-Ý][\w’'.-]*(?:\s+[A-Za-z][\w’'.-]*){0,3})"
    ),
}


def _city(text, language):
    """A city named as where ("talks in Geneva", "переговоры в Стамбуле"): (its name as written, City), or
    (None, None). A city that is not a capital names no state: it gives the place and its country only."""
    patterns = [p for p in (_CITY.get(language), _CITY_TO.get(language)) if p]
    for match in (match for pattern in patterns for match in pattern.finditer(text)):
        words = match["place"].split()
        for size in range(min(len(words), cities().longest), 0, -1):
            name = " ".join(words[:size]).rstrip(".")
            city = cities().lookup(name, language)
            if city is not None:
                return name, city
    return None, None


def _body_of(actor_id, actors):
    """The intergovernmental body an organ of it acts for: the Council of the EU for the EU."""
    actor = actors.get(actor_id)
    parent = actors.get(actor.parent) if actor and actor.parent else None
    return parent.id if parent and parent.kind == "igo" and actor.kind == "igo" else None


def _actors_of(roles, *wanted):
    return [actor for actor, role in roles if not wanted or role in wanted]


def _ordered(participants):
    unique = dict.fromkeys(participants)
    return sorted(unique, key=lambda p: (ROLE_ORDER[p[1]], p[0]))


def _cause_date(sentence, start, end, date, causes):
    """A date inside a clause about an earlier event, its phrase widened to the clause ("after ... 2022")."""
    clause_start = next(a for a, b in causes if a <= start < b)
    return replace(date, phrase=_squeeze(sentence[clause_start:end]))


def _claim_note(claim, actors):
    if claim is None:
        return []
    name = actors.get(claim.actor).name
    return [f"The article attributes this to {name} (“{_squeeze(claim.phrase)}”)."]
