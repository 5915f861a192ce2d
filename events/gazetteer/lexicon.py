"""How articles name each state and organisation, in English and Russian: the gazetteer's lexicon.

    from events.gazetteer import lexicon
    lex = lexicon()
    lex.country("RUS").adjectives            # ("Russian",)
    lex.lookup("России", "ru")               # (Hit(actor='russia', country='RUS', part='name', ...),)
    lex.index("en")["estonian"]              # the same, for every form at once

Read from `lexicon.json`, shipped with the code and written by `build.py`: the
Russian forms are already inflected there, so reading it needs no
morphological analyser. Actor ids are the gazetteer's own; a database where a
curator entered the state first may hold it under another id (the loader
reuses it): `events.gazetteer.load.stored_actor_ids()` maps one to the other.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

LEXICON_FILE = Path(__file__).resolve().parent / "lexicon.json"

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
"""Russian cases in the order `RussianWord.cases` lists them: nominative, genitive, dative,
accusative, instrumental, prepositional (pymorphy3's names)."""

PARTS = ("name", "adjective", "demonym", "capital")


def fold(text):
    """The form names are compared in: case-folded, ё read as е (most Russian text writes е)."""
    return text.casefold().replace("ё", "е")


@dataclass(frozen=True)
class RussianWord:
    """A Russian name, adjective or people noun with its inflected forms."""

    lemma: str
    forms: tuple  # every distinct form, the lemma first
    cases: tuple = ()  # names only: the singular (or, for plural names, plural) form in each of CASES

    def case(self, name):
        """The form in case `name` ("gent": "России"); None for adjectives and people nouns."""
        return self.cases[CASES.index(name)] if self.cases else None


@dataclass(frozen=True)
class Country:
    """One entry of ISO 3166-1 (and Kosovo): its actors and every way articles name it."""

    country: str  # ISO 3166-1 alpha-3
    state: str  # the state's actor id
    government: str | None  # "<state>-government"; None for the uninhabited entries
    foreign_ministry: str | None  # "<state>-foreign-ministry"; None for territories
    sovereign: bool
    names: tuple  # English: the usual short name first, then other and official names
    adjectives: tuple  # "Russian"; a state may have none in common use
    demonyms: tuple  # people nouns, singular and plural: "Russian", "Russians"; "Briton", "Britons"
    capitals: tuple  # the capital as a metonym ("Moscow"), other spellings after it ("Kyiv", "Kiev")
    ru_names: tuple  # RussianWord with cases: "Россия", "Российская Федерация", "РФ"
    ru_adjectives: tuple  # RussianWord: "российский" with every gender, number and case
    ru_demonyms: tuple  # RussianWord: "россиянин", "россияне"...
    ru_capitals: tuple  # RussianWord with cases: "Москва"

    @property
    def name(self):
        return self.names[0]


@dataclass(frozen=True)
class Organization:
    """An intergovernmental body: UN, EU, NATO, their organs."""

    actor: str
    parent: str | None
    names: tuple  # English, the usual name first, abbreviations after it
    ru_names: tuple  # RussianWord with cases


@dataclass(frozen=True)
class Hit:
    """What a form in a text names: an actor (a state or an organisation) and how it names it."""

    actor: str
    country: str | None  # None for organisations
    part: str  # one of PARTS
    language: str  # "en" or "ru"


class Lexicon:
    def __init__(self, countries, organizations):
        self.countries = tuple(countries)
        self.organizations = tuple(organizations)
        self._by_country = {entry.country: entry for entry in self.countries}
        self._indexes = {}

    def country(self, code):
        """The entry of an alpha-3 code, or None."""
        return self._by_country.get(code)

    def index(self, language):
        """{folded form: (Hit, ...)} for every name, adjective, demonym and capital in `language`.

        Multi-word names are keys as written, words separated by single spaces ("south korean").
        A form with two hits ("Congolese", "конголезский") is ambiguous: both are listed.
        """
        if language not in ("en", "ru"):
            raise ValueError(f"the lexicon has English ('en') and Russian ('ru'), not {language!r}")
        if language not in self._indexes:
            self._indexes[language] = self._build_index(language)
        return self._indexes[language]

    def lookup(self, text, language):
        """The hits of one form as it appears in a text ("России", "U.S."); () when it names nothing."""
        return self.index(language).get(fold(" ".join(text.split())), ())

    def _build_index(self, language):
        index = {}

        def add(form, hit):
            hits = index.setdefault(fold(form), [])
            if hit not in hits:
                hits.append(hit)

        for entry in self.countries:
            if language == "en":
                groups = [("name", entry.names), ("adjective", entry.adjectives), ("demonym", entry.demonyms)]
                groups.append(("capital", entry.capitals))
                for part, forms in groups:
                    for form in forms:
                        add(form, Hit(entry.state, entry.country, part, language))
            else:
                groups = [("name", entry.ru_names), ("adjective", entry.ru_adjectives)]
                groups += [("demonym", entry.ru_demonyms), ("capital", entry.ru_capitals)]
                for part, words in groups:
                    for word in words:
                        for form in word.forms:
                            add(form, Hit(entry.state, entry.country, part, language))
        for org in self.organizations:
            forms = org.names if language == "en" else [f for word in org.ru_names for f in word.forms]
            for form in forms:
                add(form, Hit(org.actor, None, "name", language))
        return {key: tuple(hits) for key, hits in index.items()}


def _word(raw):
    cases = tuple(raw.get("cases", ()))
    forms = raw.get("forms") or [raw["lemma"], *cases]
    return RussianWord(lemma=raw["lemma"], forms=tuple(dict.fromkeys(forms)), cases=cases)


def read(path=LEXICON_FILE):
    """The Lexicon in a lexicon file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    countries = [
        Country(
            country=c["country"],
            state=c["state"],
            government=c["government"],
            foreign_ministry=c["foreign_ministry"],
            sovereign=c["sovereign"],
            names=tuple(c["names"]),
            adjectives=tuple(c["adjectives"]),
            demonyms=tuple(c["demonyms"]),
            capitals=tuple(c["capitals"]),
            ru_names=tuple(map(_word, c["ru_names"])),
            ru_adjectives=tuple(map(_word, c["ru_adjectives"])),
            ru_demonyms=tuple(map(_word, c["ru_demonyms"])),
            ru_capitals=tuple(map(_word, c["ru_capitals"])),
        )
        for c in data["countries"]
    ]
    organizations = [
        Organization(
            actor=o["actor"], parent=o["parent"], names=tuple(o["names"]), ru_names=tuple(map(_word, o["ru_names"]))
        )
        for o in data["organizations"]
    ]
    return Lexicon(countries, organizations)


@functools.cache
def lexicon():
    """The shipped lexicon, read once per process."""
    return read()
