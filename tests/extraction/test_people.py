"""People named with a title, proposed as new actors (events/extraction/people.py)."""

from events.dataset import import_document
from events.extraction import proposals_to_dataset, propose
from events.extraction.people import find_people
from events.models import Actor

from .helpers import gazetteer_actors, taxonomy_types


def people(text, language="en"):
    return [(p.actor.id, p.actor.name, p.actor.parent) for p in find_people(text, language, gazetteer_actors())]


def test_a_name_after_a_title_is_a_new_person_under_the_state_of_the_title():
    assert people("British Prime Minister Theresa May told the House of Commons they have one week to leave.") == [
        ("theresa-may", "Theresa May", "united-kingdom")
    ]


def test_a_foreign_minister_or_spokesperson_belongs_to_the_ministry():
    assert people("US Deputy Secretary of State Wendy R. Sherman will lead the delegation.") == [
        ("wendy-sherman", "Wendy Sherman", "united-states-foreign-ministry")
    ]
    assert people("Chinese foreign ministry spokeswoman Hua Chunying said the move was vile.") == [
        ("hua-chunying", "Hua Chunying", "china-foreign-ministry")
    ]


def test_a_known_person_is_not_proposed_again():
    assert people("Russian Foreign Minister Sergey Lavrov said the talks would go on.") == []


def test_a_russian_name_is_put_in_the_nominative_and_spelt_in_latin_letters():
    found = find_people(
        "Об этом заявила официальный представитель МИД России Мария Захарова.", "ru", gazetteer_actors()
    )
    [person] = [p.actor for p in found]
    assert (person.id, person.name, person.parent) == ("maria-zakharova", "Мария Захарова", "russian-foreign-ministry")
    assert "Захаровой" in person.aliases  # "по словам Захаровой" names her too


def test_a_russian_man_keeps_his_surname(db):
    found = find_people("заявил посол России в США Александр Дарчиев", "ru", gazetteer_actors())
    assert [(p.actor.id, p.actor.name) for p in found] == [("alexander-darchiev", "Александр Дарчиев")]


def test_the_dataset_carries_the_people_the_proposals_use_and_imports(demo):
    text = (
        "May expels 23 diplomats\n\n"
        "British Prime Minister Theresa May has expelled 23 Russian diplomats, she told parliament on Wednesday."
    )
    extraction = propose(text, published="2018-03-14", actors=gazetteer_actors(), types=taxonomy_types())
    document = proposals_to_dataset(extraction)
    assert document["actors"] == [
        {
            "id": "theresa-may",
            "name": "Theresa May",
            "kind": "person",
            "country": "GBR",
            "aliases": [],
            "parent": "united-kingdom",
            "wikidata": None,
        }
    ]
    [event] = document["events"]
    assert [(p["actor"], p["role"]) for p in event["participants"]] == [
        ("theresa-may", "initiator"),
        ("united-kingdom", "initiator"),
        ("russia", "target"),
    ]
    Actor.objects.create(id="united-kingdom", name="United Kingdom", kind="state", country="GBR")
    import_document(document)
    assert Actor.objects.get(id="theresa-may").parent_id == "united-kingdom"


def test_a_surname_pymorphy3_does_not_know_stays_a_noun():
    # "Небензя" parses first as a verb's form (небензить); the surname is the noun.
    [person] = find_people("Постпред России при ООН Василий Небензя сообщил об этом.", "ru", gazetteer_actors())
    assert (person.actor.id, person.actor.name) == ("vasily-nebenzya", "Василий Небензя")


def test_a_surname_after_a_first_name_in_the_nominative_is_kept_as_written():
    [person] = find_people("Об этом заявил замглавы МИД России Сергей Рябков.", "ru", gazetteer_actors())
    assert (person.actor.id, person.actor.name) == ("sergey-ryabkov", "Сергей Рябков")
