"""People named with a title: "Prime Minister Theresa May", "глава МИД России Сергей Лавров".

A person Chancery does not know yet, named after a title, is proposed as a new
actor (kind `person`), under the state, ministry or body the title names
("British", "of State", "МИД России"); the curator accepts it with the
proposals. Later in the article the surname alone names them ("May said").
Without a title a capitalised pair of words is not taken for a person: too
many are places, bodies or ships. In Russian, a first name pymorphy3 knows and
a surname next to a verb of saying is one ("заявил Алексей Иванов.", "Иван
Петров сообщил", "по словам Ивана Петрова"): who speaks is a person.
"""

import re
from dataclasses import dataclass

from ..gazetteer import fold
from .actors import KnownActor
from .claims import _SPEECH_RU
from .morphology import _russian

_EN_TITLE = (
    r"(?:(?:Deputy |Vice |Acting |Former |former )?(?:Prime Minister|President|Foreign Minister|Foreign Secretary"
    r"|Secretary of State|Under ?secretary of State|Assistant Secretary of State|Secretary-General|Secretary General"
    r"|Chancellor|Ambassador|Special Envoy|Envoy|Minister of Foreign Affairs|Foreign Affairs Minister|Minister"
    r"|Premier|King|Crown Prince|Emir|High Representative|Secretary"
    r"|(?:[Ff]oreign [Mm]inistry |[Mm]inistry )?[Ss]pokes(?:wo)?man|(?:[Ff]oreign [Mm]inistry |[Mm]inistry )?"
    r"[Ss]pokesperson"
    r"|[Pp]ress [Ss]ecretary|Chief|Leader|(?:Deputy |Political )?Director))"
)
_EN_NAME = r"(?P<name>[A-Z][a-z-]+(?:\s+[A-Z]\.)?(?:\s+(?:de |van |von |bin |al-)?[A-Z][a-z-]+){1,2})"
# "Ambassador to Washington Alexander Darchiev", "Special Envoy for Syria Thomas Barrack": where the holder is
# sent says nothing of whose they are.
_EN_PERSON = re.compile(
    rf"\b(?P<title>{_EN_TITLE})(?:\s+of\s+(?P<of>[A-Z][\w.]+(?:\s+[A-Z][\w.]+)?))?"
    rf"(?:\s+(?:to|for|in)\s+(?:the\s+)?[A-Z][\w.]+(?:\s+[A-Z][\w.]+)?)?,?\s+{_EN_NAME}"
)
# A name without a title, said to speak: "James Cleverly told the House", "..., said Jane Doe." Not a place or
# an institution ("Downing Street said", "the White House said").
_EN_SPEAKER = (
    re.compile(
        rf"(?:^|(?<=[.,;:!?”\"’'] )|(?<=\n)){_EN_NAME}(?=\s+(?:has\s+|had\s+)?(?:said|says|told|tells|added"
        r"|stressed|warned|announced)\b)"
    ),
    re.compile(rf"\b(?:said|says|added)\s+{_EN_NAME}(?=\s*[.,])"),
)
_NOT_PERSON_WORDS = frozenset(
    "Street House Hill Palace Office Ministry Department Council Agency Service Committee Commission Media News Post "
    "Times Television Radio Press Government Embassy Union Organisation Organization Kremlin Federation Republic "
    "Minister President Secretary Foreign State Affairs".split()
)
# Titles whose holder speaks for the foreign ministry, when the ministry is known.
_MINISTRY_TITLES = re.compile(
    r"foreign|spokes|secretary of state|министр иностранных|мид|представител|замминистр", re.I
)
# Titles a state's adjective or name comes with ("British Prime Minister", "премьер-министр Словакии").
_RU_TITLE = re.compile(
    r"\b(?:президент|премьер-министр|премьер|министр|глав[аеуыо]й?|замминистра|замглавы|заместител[ья]м?|посл[аеуом]?м?|посол"
    r"|представител[ья]м?|пресс-секретар[ья]м?|госсекретар[ья]м?|канцлер[аеуом]*|постпред[аеуом]*|спикер[аеуом]*"
    r"|руководител[ья]м?|директор[аеуом]*|лидер[аеуом]*)\b",
    re.I,
)
_RU_CAPITALISED = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")
_NOT_NAMES = frozenset(
    "January February March April May June July August September October November December Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday The This That".split()
)


# "Mr Trump": the surname of someone named before, not a first name.
_HONORIFICS = frozenset("Mr Mrs Ms Miss Dr Sir Lord Dame Mme".split())


@dataclass(frozen=True)
class Person:
    actor: KnownActor
    title: str  # as the article writes it


def find_people(text, language, actors):
    """[Person] named with a title in the text and not known to `actors`, in order, each once."""
    found = {}
    for name, title in _titled_names(text, language):
        if _known(name, actors) or name.split()[0] in _NOT_NAMES:
            continue
        person_id = _slug(name if language == "en" else _latin(name))
        if not person_id or person_id in actors.actors or person_id in found:
            continue
        parent = _parent(title, language, actors)
        country = actors.get(actors.state_of(parent)).country if parent and actors.state_of(parent) else ""
        surname = name.split()[-1]
        aliases = (surname,) if surname not in _NOT_NAMES and len(surname) > 3 else ()
        if language == "ru":
            aliases = _russian_forms(name)
        found[person_id] = Person(KnownActor(person_id, name, "person", country, parent, aliases), title)
    return list(found.values())


def _titled_names(text, language):
    """(name in the nominative, title) for each name right after a title."""
    if language == "en":
        for match in _EN_PERSON.finditer(text):
            # A middle initial is dropped: "Wendy R. Sherman" is Wendy Sherman.
            words = [word for word in match["name"].split() if not re.fullmatch(r"[A-Z]\.", word)]
            while len(words) > 2 and words[-1] in _NOT_NAMES:  # "Secretary Blinken Monday", not "Theresa May"
                words.pop()
            if len(words) >= 2:
                title = match["title"] + (f" of {match['of']}" if match["of"] else "")
                # The title with the words before it: "Mongolian Foreign Minister", "the US Secretary of State".
                before = re.search(r"(?:[\w.’'-]+\s+){0,2}$", text[max(0, match.start() - 40) : match.start()])
                yield " ".join(words), before.group() + title
        for match in (m for pattern in _EN_SPEAKER for m in pattern.finditer(text)):
            words = match["name"].split()
            if len(words) >= 2 and not _NOT_PERSON_WORDS & set(words) and words[0] not in _NOT_NAMES | _HONORIFICS:
                yield " ".join(w for w in words if not re.fullmatch(r"[A-Z]\.", w)), ""
        return
    for match in _RU_TITLE.finditer(text):
        window = text[match.end() : match.end() + 80]
        words = list(_RU_CAPITALISED.finditer(window))
        for first, second in zip(words, words[1:], strict=False):
            if window[first.end() : second.start()] != " " or not _is_first_name(first.group()):
                continue  # a name is two words side by side, the first a first name
            given, gender = _given_name(first.group())
            # A first name written in the nominative has its surname in the nominative too ("Сергей Рябков",
            # which pymorphy3 would read as a plural of "рябок").
            surname = second.group() if given == first.group() else _surname(second.group(), gender)
            name = f"{given} {surname}"
            title = text[match.start() : match.end() + first.start()].strip()
            yield name, title
            break
    yield from _speaking_names(text)  # after the titled ones: a title gives the parent


# A pair of capitalised words that speaks: after "по словам", before a verb of saying, or closing a sentence
# that a verb of saying after a comma or a dash opened ("..., — заявил журналистам депутат Иван Петров.").
_RU_PAIR = r"(?P<first>[А-ЯЁ][а-яё]+) (?P<second>[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)"
_RU_SPEAKING = re.compile(
    rf"(?<![А-ЯЁа-яё])(?:[Пп]о\s+словам\s+{_RU_PAIR}"
    rf"|{_RU_PAIR.replace('first', 'first2').replace('second', 'second2')}(?=\s+(?:(?-i:[а-яё]+)\s+)?{_SPEECH_RU}\b)"
    rf"|(?<=[,—–\s-]){_SPEECH_RU}\s[^.!?«»\"]{{0,160}}?"
    rf"{_RU_PAIR.replace('first', 'first3').replace('second', 'second3')}(?=\s*(?:[.!?]|$)))"
)


def _speaking_names(text):
    """(name in the nominative, "") for each Russian pair of a first name and a surname that speaks."""
    for match in _RU_SPEAKING.finditer(text):
        index = next(i for i in ("", "2", "3") if match[f"first{i}"])
        first, second = match[f"first{index}"], match[f"second{index}"]
        if not _is_first_name(first) or not _may_be_surname(second):
            continue
        given, gender = _given_name(first)
        yield f"{given} {second if given == first else _surname(second, gender)}", ""


def _may_be_surname(word):
    """A surname pymorphy3 knows, or a word it does not know at all (most surnames of other nations)."""
    parses = _russian().parse(word)
    return any("Surn" in p.tag for p in parses) or not any(p.is_known for p in parses)


def _known(name, actors):
    mentions = actors.find(name)
    return any(m.end - m.start >= len(name) - 1 for m in mentions)


def _parent(title, language, actors):
    """The actor the title belongs to: a body or state named in the title, or the state of an adjective."""
    phrase = title
    ministry_title = bool(_MINISTRY_TITLES.search(title))
    mentions = [
        m for m in actors.find(phrase, language) if actors.get(m.actor) and actors.get(m.actor).kind != "person"
    ]
    # "посол РФ в США": the state after "в" is where the envoy serves; the one before is theirs.
    posted = [m for m in mentions if re.search(r"(?:^|\s)(?:в|во)\s+$", phrase[: m.start])]
    mentions = [m for m in mentions if m not in posted] or mentions
    state = None
    for mention in reversed(mentions):
        actor = actors.get(mention.actor)
        if actor.kind in ("government", "igo", "organization"):
            return actor.id
        state = state or actor.id
    if state is None:
        for word in re.findall(r"[^\W\d_]+", phrase):
            found = actors.adjectives.get(fold(word))
            if found:
                state = found[0]
                if ministry_title and found[1]:
                    return found[1]
    if state is None and re.search(r"secretary of state", title, re.I):
        state = actors.state_by_country.get("USA")
        return actors.ministry_of.get(state, state)
    if state and ministry_title and state in actors.ministry_of:
        return actors.ministry_of[state]
    return state


def _russian_forms(name):
    """Every case of a Russian name and of its surname alone ("Марии Захаровой", "Захаровой")."""
    first, surname = name.split()
    forms = []
    for case in ("nomn", "gent", "datv", "accs", "ablt", "loct"):
        given, family = _inflect(first, "Name", case), _inflect(surname, "Surn", case)
        forms += [f"{given} {family}", family]
    return tuple(dict.fromkeys(form for form in forms if form != name))


def _inflect(word, grammeme, case):
    for parse in _russian().parse(word):
        if grammeme in parse.tag and "nomn" in parse.tag:
            inflected = parse.inflect({case, "sing"})
            if inflected:
                return inflected.word[:1].upper() + inflected.word[1:]
    return word


def _is_first_name(word):
    return any("Name" in parse.tag for parse in _russian().parse(word)[:3])


def _given_name(word):
    """("Мария", "femn") for "Марии": a first name in the nominative, and its gender."""
    for parse in _russian().parse(word):
        if "Name" in parse.tag:
            inflected = parse.inflect({"nomn"})
            return _capital(inflected.word if inflected else word), parse.tag.gender
    return word, None


def _surname(word, gender):
    """ "Захаровой" -> "Захарова", "Дарчиева" -> "Дарчиев": a surname in the nominative of the given gender."""
    parses = _russian().parse(word)
    # A surname pymorphy3 does not know is read as a noun, not a verb's form ("Небензя", not "небензить").
    ranked = sorted(
        parses,
        key=lambda p: ("Surn" not in p.tag, p.tag.POS != "NOUN", gender is not None and p.tag.gender != gender),
    )
    for parse in ranked:
        inflected = (parse.inflect({"nomn", gender}) if gender else None) or parse.inflect({"nomn"})
        if inflected:
            return _capital(inflected.word)
    return word


def _capital(word):
    return word[:1].upper() + word[1:]


_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".split(),
        strict=True,
    )
)


def _latin(name):
    """A Russian name in Latin letters, as English-language news spells most: Мария Захарова -> Maria Zakharova,
    Сергей Рябков -> Sergey Ryabkov, Василий Небензя -> Vasily Nebenzya, Александр -> Alexander."""
    result = []
    for word in name.lower().split():
        word = word.replace("кс", "x").replace("ия", "ia")
        word = re.sub(r"ий$", "y", word)
        result.append("".join(_LATIN.get(ch, ch) for ch in word).replace("_", ""))
    if result and result[0] == "alexandr":
        result[0] = "alexander"
    return " ".join(result)


def _slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("’", "").replace("'", "")).strip("-")
