"""The actors an article names, found by their names and aliases."""

import itertools
import re
from dataclasses import dataclass

from ..gazetteer import fold, lexicon
from .morphology import lemma


@dataclass(frozen=True)
class KnownActor:
    id: str
    name: str
    kind: str
    country: str = ""
    parent: str | None = None
    aliases: tuple = ()


@dataclass(frozen=True)
class Mention:
    actor: str
    start: int
    end: int
    text: str


_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W_]+")
_NAME_GAP = re.compile(r"\s+|\s*-\s*")
# Adjectives of kind that may stand between a state's adjective and its noun ("Moroccan civil and military
# aircraft"), with the conjunctions that join them.
_CONJUNCTIONS = ("and", "or", "и", "или")
_KIND_WORDS = {
    "en": frozenset("civil civilian military commercial passenger cargo private".split()) | {"and", "or"},
    "ru": frozenset("гражданский военный коммерческий пассажирский грузовой частный".split()) | {"и", "или"},
}

# Nouns (lemmas) that a state's adjective stands for the state before: "Russian diplomats", "the US side",
# "российские дипломаты". "Russian oil giants" names companies, not Russia.
ADJECTIVE_NOUNS = {
    "en": frozenset(
        "diplomat diplomatic delegation official side government authority embassy consulate mission carrier "
        "airline aircraft plane property citizen national envoy ambassador negotiator counterpart leader "
        "president minister ministry administration school compound residence dacha asset sanction "
        "foreign military troop resort airport airliner flight officer employee staff personnel attache attaché "
        "intelligence defence defense consul spy".split()
    ),
    "ru": frozenset(
        "дипломат дипломатический делегация чиновник сторона власть правительство посольство консульство "
        "генконсульство миссия дипмиссия представительство диппредставительство авиакомпания авиаперевозчик "
        "перевозчик самолет собственность дипсобственность посол коллега лидер президент министр мид "
        "ведомство руководство школа дача санкция сотрудник атташе военный консул генконсул дипломатка "
        "внешнеполитический парламент дипсотрудник министерство консульский".split()
    ),
}
# Nouns after which a capital names a document or a forum, not its state.
_THING_NOUNS = frozenset(
    "convention conventions accord accords agreement agreements talks process format protocol protocols "
    "declaration document documents memorandum communique communiqué treaty group club".split()
)
# Nouns that, after an adjective and before a name, are a person's title ("Russian President Vladimir Putin").
_TITLES = frozenset(
    "president minister foreign leader counterpart ambassador envoy президент министр лидер коллега посол".split()
)
# Nouns after which a state's name or adjective is that state's foreign ministry or government.
_MINISTRY_WORDS = frozenset(
    {"мид", "министерство иностранных дел", "министерство иностранный", "foreign ministry", "внешнеполитический"}
)
_GOVERNMENT_WORDS = frozenset({"правительство", "government", "кабмин"})


def _tokens(text):
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _is_acronym(name):
    letters = re.sub(r"[^\w]", "", name)
    return bool(letters) and letters.isupper() and len(letters) <= 6


class ActorIndex:
    """Finds the actors Chancery knows in a text, by name and alias, whole words only.

    Acronyms ("US", "USA") match only as written, or dotted ("U.S."); other
    names match in any case but must start with a capital ("Russian foreign
    ministry" finds the "Russian Foreign Ministry", "turkey" does not find
    Türkiye). Where names overlap, the longest wins ("Sergey Lavrov", not
    "Lavrov"); a name two actors share belongs to the first by id.
    """

    def __init__(self, actors, *, gazetteer=True):
        self.actors = {actor.id: actor for actor in sorted(actors, key=lambda a: a.id)}
        self.exact, self.folded = {}, {}
        self.state_by_country = {}
        for actor in self.actors.values():
            if actor.kind == "state" and actor.country:
                self.state_by_country.setdefault(actor.country, actor.id)
        for actor in self.actors.values():
            for name in (actor.name, *actor.aliases):
                self._add_name(name, actor.id)
        # The stored foreign ministry of each state, whatever its id (a curator's "russian-foreign-ministry").
        self.ministry_of = {}
        for actor in self.actors.values():
            names = " ".join(fold(n) for n in (actor.id, actor.name, *actor.aliases))
            if (
                actor.kind == "government"
                and actor.parent
                and re.search(r"foreign.ministry|мид |state department", names)
            ):
                self.ministry_of.setdefault(actor.parent, actor.id)
        # adjective or demonym (folded) -> (state, foreign ministry, government), ids of stored actors or None
        self.adjectives = {}
        self.capitals = set()  # folded English names of capitals, which also name a thing ("Vienna Convention")
        if gazetteer:
            self._add_lexicon(lexicon())
        self.longest = max((len(key) for key in (*self.exact, *self.folded)), default=0)
        self.first = {key[0] for key in self.folded} | {key[0].casefold() for key in self.exact}

    def _add_name(self, name, actor_id):
        key = tuple(word.replace(".", "") for word, _, _ in _tokens(name))
        if not key:
            return
        if _is_acronym(name):
            self.exact.setdefault(key, actor_id)
        else:
            self.folded.setdefault(tuple(fold(word) for word in key), actor_id)

    def _add_lexicon(self, lex):
        """The gazetteer's forms of the stored states and bodies: Russian cases, capitals, adjectives."""
        for entry in lex.countries:
            state = self.state_by_country.get(entry.country)
            if state is None:
                continue
            ministry = self.ministry_of.get(state)
            government = entry.government if entry.government in self.actors else None
            for name in (*entry.names, *entry.capitals):
                self._add_name(name, state)
            self.capitals.update(tuple(fold(word) for word, _, _ in _tokens(name)) for name in entry.capitals)
            for word in (*entry.ru_names, *entry.ru_capitals):
                for form in word.forms:
                    self._add_name(form, state)
            for form in (*entry.adjectives, *entry.demonyms):
                self.adjectives.setdefault(fold(form), (state, ministry, government))
            for word in entry.ru_adjectives:
                for form in word.forms:
                    self.adjectives.setdefault(fold(form), (state, ministry, government))
        for org in lex.organizations:
            if org.actor in self.actors:
                for name in org.names:
                    self._add_name(name, org.actor)
                for word in org.ru_names:
                    for form in word.forms:
                        self._add_name(form, org.actor)

    def with_people(self, people):
        """A copy that also knows these actors (people an article names with a title), for that article."""
        if not people:
            return self
        copy = object.__new__(ActorIndex)
        copy.__dict__.update(self.__dict__)
        copy.actors = {**self.actors, **{person.id: person for person in people}}
        copy.exact, copy.folded = dict(self.exact), dict(self.folded)
        for person in people:
            for name in (person.name, *person.aliases):
                copy._add_name(name, person.id)
        copy.longest = max((len(key) for key in (*copy.exact, *copy.folded)), default=0)
        copy.first = {key[0] for key in copy.folded} | {key[0].casefold() for key in copy.exact}
        return copy

    def with_home(self, state):
        """A copy where a foreign ministry named without its state ("the Foreign Ministry said", "в МИД") is the
        ministry of `state`, the article's own (the one it names most)."""
        ministry = self.ministry_of.get(state)
        if ministry is None:
            return self
        copy = object.__new__(ActorIndex)
        copy.__dict__.update(self.__dict__)
        copy.folded = dict(self.folded)
        for name in (
            "Foreign Ministry",
            "Ministry of Foreign Affairs",
            "Foreign Office",
            "МИД",
            # The article writes the abbreviation with a case ending too: "в сообщении МИДа", "по данным МИДа".
            "МИДа",
            "МИДу",
            "МИДом",
            "МИДе",
            "Министерство иностранных дел",
        ):
            copy.folded.setdefault(tuple(fold(word) for word, _, _ in _tokens(name)), ministry)
        copy.first = self.first | {key[0] for key in copy.folded}
        return copy

    def home_state(self, text, language="en"):
        """The state a text names most (the first named, of equals): whose ministry "the ministry" is."""
        counts = {}
        for mention in self.find(text, language):
            state = self.state_of(mention.actor)
            if state:
                counts[state] = counts.get(state, 0) + 1
        return max(counts, key=counts.get) if counts else None

    @classmethod
    def load(cls):
        """Every actor of the database, in one query, and the gazetteer's forms of their names."""
        from ..models import Actor

        rows = Actor.objects.values_list("id", "name", "kind", "country", "parent_id", "aliases")
        return cls(
            KnownActor(id, name, kind, country or "", parent, tuple(a for a in aliases or () if isinstance(a, str)))
            for id, name, kind, country, parent, aliases in rows
        )

    def find(self, text, language="en"):
        """Mentions in order of appearance, overlaps resolved to the longest name."""
        tokens = _tokens(text)
        words = [word.replace(".", "") for word, _, _ in tokens]
        folded = [fold(word) for word in words]
        # run[i]: how many tokens from i on are joined by spaces or hyphens only, as a name's words are.
        run = [1] * len(tokens)
        for i in range(len(tokens) - 2, -1, -1):
            if _NAME_GAP.fullmatch(text, tokens[i][2], tokens[i + 1][1]):
                run[i] = run[i + 1] + 1
        mentions, index = [], 0
        while index < len(tokens):
            found = self._match_at(tokens, words, folded, index, run[index]) if folded[index] in self.first else None
            if found and self._names_a_thing(folded, index, found[1]):
                index += found[1]  # "the Vienna Convention", "the Minsk agreements": not the state
                continue
            if found:
                actor_id, length = found
                start, end = tokens[index][1], tokens[index + length - 1][2]
                actor_id = self._body_of(actor_id, tokens, index, language)
                if actor_id != found[0] and index:
                    start = tokens[index - 1][1]  # "МИД России": the ministry, named from its first word
                mentions.append(Mention(actor_id, start, end, text[start:end]))
                index += length
                continue
            elided = self._elided_at(folded, index, run) if tokens[index][0][:1].isupper() else None
            if elided:
                word, start, end = tokens[index]
                mentions.append(Mention(elided, start, end, word))
                index += 1
                continue
            adjective = self._adjective_at(tokens, folded, index, language)
            if adjective:
                word, start, end = tokens[index]
                mentions.append(Mention(adjective, start, end, word))
            index += 1
        return mentions

    def _names_a_thing(self, folded, index, length):
        """A capital before a document's or a forum's noun is that thing's name ("the Vienna Convention", "the
        Minsk agreements", "the Vienna talks"), not its state acting."""
        following = folded[index + length] if index + length < len(folded) else ""
        return tuple(folded[index : index + length]) in self.capitals and following in _THING_NOUNS

    def _elided_at(self, folded, index, run):
        """ "South and North Korea": the first of two names that share their last words, written once."""
        if index + 2 >= len(folded) or folded[index + 1] not in ("and", "or", "и") or not folded[index][:1].isalpha():
            return None
        for length in range(min(self.longest, run[index + 2]), 1, -1):
            tail = folded[index + 3 : index + 2 + length]
            if tuple(folded[index + 2 : index + 2 + length]) in self.folded and tail:
                return self.folded.get((folded[index], *tail))
        return None

    def _match_at(self, tokens, words, folded, index, run):
        for length in range(min(self.longest, run), 0, -1):
            key = tuple(words[index : index + length])
            if key in self.exact:
                return self.exact[key], length
            key = tuple(folded[index : index + length])
            if key in self.folded and tokens[index][0][:1].isupper():
                return self.folded[key], length
        return None

    def _body_of(self, actor_id, tokens, index, language):
        """ "МИД России", "правительства Польши": a state named after its ministry's or government's noun."""
        actor = self.actors.get(actor_id)
        if language != "ru" or not index or actor is None or actor.kind != "state":
            return actor_id
        noun = lemma(tokens[index - 1][0], language)
        if noun == "мид":
            return self.ministry_of.get(actor_id, actor_id)
        government = f"{actor_id}-government"
        return government if noun == "правительство" and government in self.actors else actor_id

    def _adjective_at(self, tokens, folded, index, language):
        """A state's adjective before a noun that stands for the state: the state, its ministry or government."""
        found = self.adjectives.get(folded[index])
        if not found or (language == "en" and not tokens[index][0][:1].isupper()):
            return None
        state, ministry, government = found
        following = [lemma(word, language) for word, _, _ in tokens[index + 1 : index + 4]]
        nouns = ADJECTIVE_NOUNS[language]
        if following[:1] and following[0] in _TITLES and tokens[index + 2 : index + 3]:
            if tokens[index + 2][0][:1].isupper() or following[0] == "foreign":
                return None  # "Russian President Vladimir Putin", "Russian Foreign Minister": the person's title
        if following[:1] and following[0] in nouns:
            if ministry and (following[0] in _MINISTRY_WORDS or " ".join(following[:2]) in _MINISTRY_WORDS):
                return ministry
            if government and following[0] in _GOVERNMENT_WORDS:
                return government
            return state
        # "Russian and U.S. diplomats", "российских и американских дипломатов": the noun is shared.
        if len(following) >= 3 and following[0] in ("and", "и") and following[2] in nouns:
            return state
        # "all Moroccan civil and military aircraft", "российских гражданских самолетов": adjectives of kind
        # between the state's adjective and its noun.
        after = [lemma(word, language) for word, _, _ in tokens[index + 1 : index + 5]]
        kinds = list(itertools.takewhile(lambda word: word in _KIND_WORDS[language], after))
        rest = after[len(kinds) :]
        if kinds and kinds[-1] not in _CONJUNCTIONS and rest and rest[0] in nouns and rest[0] not in _TITLES:
            return state
        return None

    def get(self, actor_id):
        return self.actors.get(actor_id)

    def state_of(self, actor_id):
        """The state an actor belongs to, following parents; None for companies and the like."""
        seen = set()
        while actor_id and actor_id not in seen:
            seen.add(actor_id)
            actor = self.actors.get(actor_id)
            if actor is None:
                return None
            if actor.kind == "state":
                return actor.id
            actor_id = actor.parent
        return None

    def side(self, actor_id):
        """What the actor stands for in a comparison of sides: its country, or itself."""
        actor = self.actors.get(actor_id)
        return (actor.country if actor and actor.country else None) or actor_id

    def is_leader(self, actor_id):
        """A person directly under a state: a head of state or government."""
        actor = self.actors.get(actor_id)
        parent = self.actors.get(actor.parent) if actor and actor.parent else None
        return bool(actor and actor.kind == "person" and parent and parent.kind == "state")
