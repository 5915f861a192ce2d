"""The gazetteer (docs/gazetteer.md): its shipped data, its lexicon, and load_gazetteer beside curated actors."""

import io
import json

import pytest
from django.core.management import call_command

from events import gazetteer
from events.countries import COUNTRIES
from events.gazetteer import Hit, build, lexicon
from events.gazetteer.load import REASON, load_gazetteer, stored_actor_ids
from events.models import Actor

from .conftest import DEMO_PATH, export_text, row_counts

ACTORS = {actor["id"]: actor for actor in gazetteer.actors()}
STATES = [a for a in ACTORS.values() if a["kind"] == "state"]
FULL_LOAD = (
    "728 actors created (443 government, 35 igo, 250 state); 0 aliases added to 0 stored actors; 0 unchanged; 0 skipped"
)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- the shipped data


def test_it_holds_one_state_for_every_code_chancery_accepts():
    assert sorted(a["country"] for a in STATES) == sorted(COUNTRIES)
    assert len(STATES) == 250


def test_every_sovereign_state_has_its_government_and_foreign_ministry_below_it():
    sovereign = [entry for entry in lexicon().countries if entry.sovereign]
    assert len(sovereign) == 197  # 193 UN members, the Holy See, Palestine, Kosovo and Taiwan
    for entry in sovereign:
        government, ministry = ACTORS[entry.government], ACTORS[entry.foreign_ministry]
        assert (government["kind"], government["parent"], government["country"]) == (
            "government",
            entry.state,
            entry.country,
        )
        assert (ministry["kind"], ministry["parent"], ministry["country"]) == ("government", entry.state, entry.country)


def test_territories_have_a_government_but_no_foreign_ministry_and_uninhabited_ones_neither():
    greenland, antarctica = lexicon().country("GRL"), lexicon().country("ATA")
    assert (greenland.government, greenland.foreign_ministry) == ("greenland-government", None)
    assert (antarctica.government, antarctica.foreign_ministry) == (None, None)
    without_government = sorted(e.country for e in lexicon().countries if e.government is None)
    assert without_government == ["ATA", "BVT", "HMD", "UMI"]


def test_the_states_of_the_demo_keep_their_ids():
    demo = json.loads(DEMO_PATH.read_text(encoding="utf-8"))
    for actor in demo["actors"]:
        if actor["kind"] == "state":
            assert lexicon().country(actor["country"]).state == actor["id"]


def test_the_well_known_names_are_where_articles_look_for_them():
    assert ACTORS["russia"]["aliases"][:3] == ["Russian Federation", "Moscow", "Россия"]
    assert {"US", "U.S.", "America", "Washington", "США", "Соединенные Штаты"} <= set(
        ACTORS["united-states"]["aliases"]
    )
    assert {"Kyiv", "Kiev", "Киев"} <= set(ACTORS["ukraine"]["aliases"])
    assert {"Kremlin", "Russian government", "Правительство России", "Кремль"} <= set(
        ACTORS["russia-government"]["aliases"]
    )
    assert ACTORS["united-states-foreign-ministry"]["name"] == "United States Department of State"
    assert {"State Department", "Госдепартамент"} <= set(ACTORS["united-states-foreign-ministry"]["aliases"])
    assert {"Russian Foreign Ministry", "MFA of Russia", "МИД России"} <= set(
        ACTORS["russia-foreign-ministry"]["aliases"]
    )
    assert {"UK", "Britain", "Великобритания"} <= set(ACTORS["united-kingdom"]["aliases"])
    assert {"Foreign Office", "FCDO"} <= set(ACTORS["united-kingdom-foreign-ministry"]["aliases"])
    assert (ACTORS["nato"]["kind"], ACTORS["nato"]["country"]) == ("igo", None)
    assert {"North Atlantic Treaty Organization", "НАТО", "Североатлантический альянс"} <= set(
        ACTORS["nato"]["aliases"]
    )
    assert ACTORS["un-security-council"]["parent"] == "united-nations"


def test_no_name_finds_two_of_its_actors():
    owners = {}
    for actor in ACTORS.values():
        for name in {gazetteer.fold(n) for n in (actor["name"], *actor["aliases"])}:
            owners.setdefault(name, []).append(actor["id"])
    assert {name: ids for name, ids in owners.items() if len(ids) > 1} == {}


@pytest.mark.django_db
def test_every_shipped_actor_passes_the_models_validation():
    for actor in ACTORS.values():
        Actor(
            id=actor["id"],
            name=actor["name"],
            kind=actor["kind"],
            country=actor["country"] or "",
            aliases=actor["aliases"],
            parent_id=actor["parent"],
            wikidata=actor["wikidata"] or "",
        ).full_clean(validate_unique=False, exclude=["parent"])
        assert actor["parent"] is None or actor["parent"] in ACTORS


def test_the_shipped_files_are_what_the_build_writes_from_its_sources(capsys):
    assert build.main(["--check"]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out == "gazetteer: the shipped files are up to date\n"


# ---------------------------------------------------------------- the lexicon


def test_the_lexicon_inflects_russian_names():
    russia, usa = lexicon().country("RUS"), lexicon().country("USA")
    assert russia.ru_names[0].cases == ("Россия", "России", "России", "Россию", "Россией", "России")
    assert russia.ru_names[1].case("gent") == "Российской Федерации"
    assert russia.ru_capitals[0].cases == ("Москва", "Москвы", "Москве", "Москву", "Москвой", "Москве")
    assert [w.lemma for w in usa.ru_names] == ["США", "Соединённые Штаты", "Соединённые Штаты Америки", "Америка"]
    assert usa.ru_names[0].cases == ("США",) * 6
    assert usa.ru_names[1].case("ablt") == "Соединёнными Штатами"
    assert lexicon().country("KOR").ru_names[0].case("gent") == "Южной Кореи"
    assert lexicon().country("BIH").ru_names[0].case("ablt") == "Боснией и Герцеговиной"


def test_the_lexicon_inflects_russian_adjectives_and_people_nouns():
    russian = lexicon().country("RUS").ru_adjectives[0]
    assert russian.forms == (
        "российский", "российского", "российскому", "российским", "российском", "российская", "российской",
        "российскую", "российское", "российские", "российских", "российскими", "российскою",
    )  # fmt: skip
    assert {"американский", "американского", "американской", "американские"} <= set(
        lexicon().country("USA").ru_adjectives[0].forms
    )
    assert lexicon().country("RUS").ru_demonyms[0].forms[:6] == (
        "россиянин",
        "россиянина",
        "россиянину",
        "россиянином",
        "россиянине",
        "россияне",
    )


def test_the_lexicon_gives_english_adjectives_and_demonyms():
    wanted = {
        "RUS": (("Russian",), ("Russian", "Russians")),
        "USA": (("American",), ("American", "Americans")),
        "GBR": (("British",), ("Briton", "Britons")),
        "EST": (("Estonian",), ("Estonian", "Estonians")),
        "IRN": (("Iranian",), ("Iranian", "Iranians")),
        "SYR": (("Syrian",), ("Syrian", "Syrians")),
        "KOR": (("South Korean",), ("South Korean", "South Koreans")),
        "LBN": (("Lebanese",), ("Lebanese",)),
        "CYP": (("Cypriot",), ("Cypriot", "Cypriots")),
    }
    for code, (adjectives, demonyms) in wanted.items():
        entry = lexicon().country(code)
        assert (entry.adjectives, entry.demonyms) == (adjectives, demonyms), code
    assert lexicon().country("UKR").capitals == ("Kyiv", "Kiev")


def test_a_form_finds_what_it_names_in_either_language():
    assert lexicon().lookup("России", "ru") == (Hit("russia", "RUS", "name", "ru"),)
    assert lexicon().lookup("Соединенных  Штатов", "ru") == (Hit("united-states", "USA", "name", "ru"),)
    assert lexicon().lookup("российскую", "ru") == (Hit("russia", "RUS", "adjective", "ru"),)
    assert lexicon().lookup("Estonian", "en") == (
        Hit("estonia", "EST", "adjective", "en"),
        Hit("estonia", "EST", "demonym", "en"),
    )
    assert lexicon().lookup("kiev", "en") == (Hit("ukraine", "UKR", "capital", "en"),)
    assert lexicon().lookup("НАТО", "ru") == (Hit("nato", None, "name", "ru"),)
    assert lexicon().lookup("Совбезе ООН", "ru") == (Hit("un-security-council", None, "name", "ru"),)
    # Both Congos: an ambiguous form lists every state it may name.
    assert {hit.actor for hit in lexicon().lookup("Congolese", "en")} == {"dr-congo", "republic-of-the-congo"}
    assert lexicon().lookup("Atlantis", "en") == ()
    with pytest.raises(ValueError, match="not 'de'"):
        lexicon().index("de")


# ---------------------------------------------------------------- load_gazetteer


@pytest.mark.django_db
def test_it_loads_the_world_into_an_empty_database():
    assert str(load_gazetteer()) == FULL_LOAD
    assert Actor.objects.filter(kind="state").count() == 250
    assert Actor.objects.get(pk="russia-foreign-ministry").parent_id == "russia"
    assert Actor.history.filter(history_change_reason=REASON, history_type="+").count() == 728


@pytest.mark.django_db
def test_a_second_run_changes_nothing(demo):
    load_gazetteer()
    exported, counts = export_text(), row_counts()
    summary = load_gazetteer()
    assert (summary.created_count, summary.aliases_added, summary.skipped) == (0, {}, [])
    assert summary.unchanged == 728
    assert (export_text(), row_counts()) == (exported, counts)


@pytest.mark.django_db
def test_it_writes_in_bulk_not_a_query_per_actor(django_assert_max_num_queries):
    # Reading: the stored candidates and their children, deleted ids (and, when some are found, earlier
    # offers and the actors to update). Writing 728 actors and their history rows: one COPY each on
    # PostgreSQL (not counted here); on SQLite, INSERTs of as many rows as its 999 parameters allow (15).
    with django_assert_max_num_queries(20):
        load_gazetteer()


@pytest.mark.django_db
def test_it_keeps_every_curated_field_and_only_appends_aliases(demo):
    before = {a["id"]: a for a in demo["actors"]}
    summary = load_gazetteer()
    for actor_id, curated in before.items():
        stored = Actor.objects.get(pk=actor_id)
        assert (stored.name, stored.kind, stored.country or None, stored.parent_id, stored.wikidata or None) == (
            curated["name"], curated["kind"], curated["country"], curated["parent"], curated["wikidata"]
        )  # fmt: skip
        assert stored.aliases[: len(curated["aliases"])] == curated["aliases"]
    assert Actor.objects.get(pk="russia").aliases == [
        "Russian Federation", "Moscow", "Kremlin", "Россия", "Российская Федерация", "РФ", "Москва",
    ]  # fmt: skip
    assert summary.aliases_added["russia"] == ["Россия", "Российская Федерация", "РФ", "Москва"]
    assert "united-states" in summary.aliases_added and "vladimir-putin" not in summary.aliases_added


@pytest.mark.django_db
def test_it_reuses_the_curated_state_of_a_country_whatever_its_id():
    Actor.objects.create(id="usa", name="USA", kind="state", country="USA", aliases=["Washington"])
    summary = load_gazetteer()
    assert list(Actor.objects.filter(country="USA", kind="state").values_list("id", flat=True)) == ["usa"]
    assert summary.reused["united-states"] == "usa"
    assert Actor.objects.get(pk="united-states-government").parent_id == "usa"
    assert Actor.objects.get(pk="united-states-foreign-ministry").parent_id == "usa"
    usa = Actor.objects.get(pk="usa")
    assert (usa.name, usa.aliases[:3]) == ("USA", ["Washington", "United States", "US"])


@pytest.mark.django_db
def test_it_reuses_a_curated_ministry_whose_name_matches(demo):
    summary = load_gazetteer()
    assert not Actor.objects.filter(pk="russia-foreign-ministry").exists()
    assert summary.reused["russia-foreign-ministry"] == "russian-foreign-ministry"
    assert stored_actor_ids()["russia-foreign-ministry"] == "russian-foreign-ministry"
    assert Actor.objects.get(pk="russian-foreign-ministry").aliases[:4] == [
        "Russian Foreign Ministry", "MFA of Russia",  # the curator's
        "Russian Ministry of Foreign Affairs", "Foreign Ministry of Russia",  # the gazetteer's, after them
    ]  # fmt: skip


@pytest.mark.django_db
def test_it_reuses_a_curated_ministry_below_a_curated_government():
    # The contract's hierarchy: a state, its government, the ministry under the government, the minister.
    Actor.objects.create(id="russia", name="Russia", kind="state", country="RUS")
    Actor.objects.create(id="ru-gov", name="Government of Russia", kind="government", country="RUS", parent_id="russia")
    Actor.objects.create(
        id="ru-mfa", name="Ministry of Foreign Affairs of Russia", kind="government", country="RUS", parent_id="ru-gov"
    )
    Actor.objects.create(id="lavrov", name="Sergey Lavrov", kind="person", country="RUS", parent_id="ru-mfa")
    summary = load_gazetteer()
    assert (summary.reused["russia-government"], summary.reused["russia-foreign-ministry"]) == ("ru-gov", "ru-mfa")
    assert list(Actor.objects.filter(country="RUS").order_by("pk").values_list("pk", "parent_id")) == [
        ("lavrov", "ru-mfa"), ("ru-gov", "russia"), ("ru-mfa", "ru-gov"), ("russia", None),
    ]  # fmt: skip
    exported = export_text()
    again = load_gazetteer()
    assert (again.created_count, again.aliases_added, export_text()) == (0, {}, exported)


@pytest.mark.django_db
def test_an_alias_a_curator_removed_stays_removed():
    load_gazetteer()
    russia = Actor.objects.get(pk="russia")
    russia.aliases = [a for a in russia.aliases if a != "Москва"]
    russia.save()
    summary = load_gazetteer()
    assert "Москва" not in Actor.objects.get(pk="russia").aliases
    assert summary.aliases_added == {}


@pytest.mark.django_db
def test_an_actor_a_curator_deleted_is_not_created_again():
    load_gazetteer()
    Actor.objects.get(pk="nauru-government").delete()
    summary = load_gazetteer()
    assert summary.skipped == [("nauru-government", "a curator deleted it")]
    assert not Actor.objects.filter(pk="nauru-government").exists()


@pytest.mark.django_db
def test_it_skips_a_state_whose_id_another_actor_holds_and_says_why():
    Actor.objects.create(id="georgia", name="Georgia", kind="other", country="USA")
    out, err = run("load_gazetteer")
    assert not Actor.objects.filter(country="GEO").exists()
    assert err.splitlines() == [
        "  georgia: skipped: its id is taken by 'Georgia' (other, USA)",
        "  georgia-foreign-ministry: skipped: its state 'georgia' was skipped",
        "  georgia-government: skipped: its state 'georgia' was skipped",
    ]
    assert out.splitlines()[-1] == (
        "gazetteer: 725 actors created (441 government, 35 igo, 249 state); "
        "0 aliases added to 0 stored actors; 0 unchanged; 3 skipped"
    )


@pytest.mark.django_db
def test_the_command_says_what_it_reused_and_added(demo):
    out, err = run("load_gazetteer")
    lines = out.splitlines()
    assert lines[0] == "  russia-foreign-ministry is the stored russian-foreign-ministry"
    assert "  russia: aliases added: Россия, Российская Федерация, РФ, Москва" in lines
    assert lines[-1] == (
        "gazetteer: 722 actors created (442 government, 35 igo, 245 state); "
        "33 aliases added to 6 stored actors; 0 unchanged; 0 skipped"
    )
    assert err == ""


@pytest.mark.django_db
def test_a_dry_run_writes_nothing(demo):
    counts = row_counts()
    out, _ = run("load_gazetteer", "--dry-run")
    assert out.splitlines()[-1].startswith("gazetteer (dry run, nothing written): 722 actors created")
    assert row_counts() == counts


def test_the_cities_are_places_in_both_languages_and_their_capitals_stay_the_states():
    from events.gazetteer.cities import City, cities

    geneva = City("Geneva", "CHE")
    assert cities().lookup("Geneva", "en") == geneva
    assert [cities().lookup(form, "ru") for form in ("Женева", "Женевы", "Женеве")] == [geneva] * 3
    assert (
        cities().lookup("St Petersburg", "en")
        == cities().lookup("Санкт-Петербурге", "ru")
        == City("Saint Petersburg", "RUS")
    )
    assert cities().lookup("Istanbul", "en").country == "TUR"
    # A capital is its state's metonym in the lexicon, not a city here; a word that is no city finds nothing.
    assert cities().lookup("Moscow", "en") is None
    assert cities().lookup("Москве", "ru") is None
    assert cities().lookup("Talks", "en") is None
