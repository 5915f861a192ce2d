"""The actors an article names, found by their names and aliases."""

import re
from dataclasses import dataclass


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
# Adjectives naming a state, used only before the nouns below ("Russian diplomats", "the US side").
DEMONYMS = {
    "American": "USA",
    "Russian": "RUS",
    "Saudi": "SAU",
    "Turkish": "TUR",
    "Hungarian": "HUN",
    "Ukrainian": "UKR",
    "British": "GBR",
    "French": "FRA",
    "German": "DEU",
    "Chinese": "CHN",
    "Israeli": "ISR",
    "Iranian": "IRN",
    "Polish": "POL",
    "Belarusian": "BLR",
    "Japanese": "JPN",
    "Indian": "IND",
}
_DEMONYM_NOUNS = frozenset(
    "diplomat diplomats diplomatic delegation delegations officials official side government authorities "
    "embassy embassies consulate consulates mission missions carriers airlines aircraft properties property "
    "citizens nationals envoy envoys ambassador negotiators".split()
)


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

    def __init__(self, actors):
        self.actors = {actor.id: actor for actor in sorted(actors, key=lambda a: a.id)}
        self.exact, self.folded = {}, {}
        for actor in self.actors.values():
            for name in (actor.name, *actor.aliases):
                key = tuple(word.replace(".", "") for word, _, _ in _tokens(name))
                if not key:
                    continue
                if _is_acronym(name):
                    self.exact.setdefault(key, actor.id)
                else:
                    self.folded.setdefault(tuple(word.casefold() for word in key), actor.id)
        self.longest = max((len(key) for key in (*self.exact, *self.folded)), default=0)
        self.first = {key[0].casefold() for key in (*self.exact, *self.folded)}
        self.state_by_country = {}
        for actor in self.actors.values():
            if actor.kind == "state" and actor.country:
                self.state_by_country.setdefault(actor.country, actor.id)

    @classmethod
    def load(cls):
        """Every actor of the database, in one query."""
        from ..models import Actor

        rows = Actor.objects.values_list("id", "name", "kind", "country", "parent_id", "aliases")
        return cls(
            KnownActor(id, name, kind, country or "", parent, tuple(a for a in aliases or () if isinstance(a, str)))
            for id, name, kind, country, parent, aliases in rows
        )

    def find(self, text):
        """Mentions in order of appearance, overlaps resolved to the longest name."""
        tokens = _tokens(text)
        words = [word.replace(".", "") for word, _, _ in tokens]
        folded = [word.casefold() for word in words]
        # run[i]: how many tokens from i on are joined by spaces or hyphens only, as a name's words are.
        run = [1] * len(tokens)
        for i in range(len(tokens) - 2, -1, -1):
            if _NAME_GAP.fullmatch(text, tokens[i][2], tokens[i + 1][1]):
                run[i] = run[i + 1] + 1
        mentions, index = [], 0
        while index < len(tokens):
            found = self._match_at(tokens, words, folded, index, run[index]) if folded[index] in self.first else None
            if found:
                actor_id, length = found
                start, end = tokens[index][1], tokens[index + length - 1][2]
                mentions.append(Mention(actor_id, start, end, text[start:end]))
                index += length
                continue
            demonym = self._demonym_at(tokens, index)
            if demonym:
                word, start, end = tokens[index]
                mentions.append(Mention(demonym, start, end, word))
            index += 1
        return mentions

    def _match_at(self, tokens, words, folded, index, run):
        for length in range(min(self.longest, run), 0, -1):
            key = tuple(words[index : index + length])
            if key in self.exact:
                return self.exact[key], length
            key = tuple(folded[index : index + length])
            if key in self.folded and tokens[index][0][:1].isupper():
                return self.folded[key], length
        return None

    def _demonym_at(self, tokens, index):
        word = tokens[index][0]
        state = self.state_by_country.get(DEMONYMS.get(word, ""))
        if not state:
            return None
        following = [w for w, _, _ in tokens[index + 1 : index + 4]]
        if following[:1] and following[0].lower() in _DEMONYM_NOUNS:
            return state
        # "Russian and U.S. diplomats": the adjective shares the noun with the next one.
        if len(following) >= 3 and following[0] == "and" and following[2].lower() in _DEMONYM_NOUNS:
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
