"""Roles and places from a sentence's structure (events/extraction/structure.py), through `propose`."""

import pytest

from events.extraction import propose

from .helpers import gazetteer_actors, taxonomy_types


def proposed(sentence, published="2023-09-14", title="Title"):
    """(type, status, start, [(actor, role)]) of each proposal from a one-sentence article."""
    extraction = propose(f"{title}\n\n{sentence}", published=published, actors=ACTORS, types=TYPES)
    return [
        (p.type, p.status, p.date.start.isoformat(), [(a, r) for a, r in p.participants]) for p in extraction.proposals
    ]


ACTORS = gazetteer_actors()
TYPES = taxonomy_types()


def test_the_owner_of_the_diplomats_is_acted_on_wherever_it_stands():
    # Word order alone made the US the one acting: its embassy comes before the verb.
    [(code, _, _, roles)] = proposed(
        "The US Embassy employees were declared personae non gratae by Russia on Thursday."
    )
    assert (code, roles) == ("diplomats.expelled", [("russia", "initiator"), ("united-states", "target")])
    [(_, _, _, roles)] = proposed("Russia has declared two employees of the Embassy of Romania personae non gratae.")
    assert roles == [("russia", "initiator"), ("romania", "target")]


def test_an_expulsion_from_a_country_is_that_countrys():
    [(_, _, _, roles)] = proposed("Twenty-three Russian diplomats will be expelled from the UK, the BBC reported.")
    assert roles == [("united-kingdom", "initiator"), ("russia", "target")]


def test_against_and_on_name_the_target():
    [(code, _, _, roles)] = proposed("Against Russia, the European Union imposed new sanctions on Monday.")
    assert (code, roles) == ("sanctions.imposed", [("european-union", "initiator"), ("russia", "target")])


def test_a_russian_subject_after_its_verb_acts():
    sentence = "Решение о высылке российских дипломатов приняли также Латвия, Литва и Эстония."
    [(code, _, _, roles)] = proposed(sentence, published="2021-04-26", title="Заголовок новости")
    assert code == "diplomats.expelled"
    assert sorted(roles) == [
        ("estonia", "initiator"),
        ("latvia", "initiator"),
        ("lithuania", "initiator"),
        ("russia", "target"),
    ]


def test_the_state_an_embassy_stands_in_is_its_host_and_its_owner_reopens_it():
    [(code, _, start, roles)] = proposed("Britain reopened its embassy in Tehran on Sunday.", published="2015-08-23")
    assert (code, start) == ("missions.reopened", "2015-08-23")
    assert roles == [("united-kingdom", "initiator"), ("iran", "host")]


def test_who_announces_an_act_does_it_but_who_reports_it_only_claims_it():
    [(_, _, _, roles)] = proposed("France and Germany have announced the mass expulsion of Russian diplomats.")
    assert roles == [("france", "initiator"), ("germany", "initiator"), ("russia", "target")]
    extraction = propose(
        "Title\n\nThe German Foreign Ministry said it was expelling 40 Russian diplomats.",
        published="2022-04-04",
        actors=ACTORS,
        types=TYPES,
    )
    [proposal] = extraction.proposals
    assert (proposal.claimed_by, proposal.actors("target")) == ("germany-foreign-ministry", ["russia"])


@pytest.mark.parametrize(
    "sentence, reason",
    [
        ("Direct flights were suspended last week.", "no actor Chancery knows"),
        ("Talks with Iran went on last week.", "only one side of the talks or meeting is named"),
        ("The embassy of Iran reopened last week.", "no one is named as doing it"),
    ],
)
def test_an_event_needs_the_parties_its_type_needs(sentence, reason):
    extraction = propose(f"Title\n\n{sentence}", published="2023-09-14", actors=ACTORS, types=TYPES)
    assert (extraction.proposals, [s.reason for s in extraction.skipped]) == ([], [reason])


def test_where_a_visit_goes_hosts_the_meeting():
    [(code, _, start, roles)] = proposed(
        "British Foreign Secretary Philip Hammond visits Iran on Sunday.", "2015-08-23"
    )
    assert (code, start) == ("meeting", "2015-08-23")
    assert roles == [("philip-hammond", "participant"), ("united-kingdom", "participant"), ("iran", "host")]
    sentence = "Министр иностранных дел РФ Сергей Лавров прибыл с официальным визитом в столицу Армении Ереван."
    [(code, _, _, roles)] = proposed(sentence, "2019-11-10", title="Заголовок новости")
    assert ("armenia", "host") in roles and ("armenia", "participant") not in roles


def located(sentence, published="2024-05-16"):
    extraction = propose(f"Title\n\n{sentence}", published=published, actors=ACTORS, types=TYPES)
    return [(p.type.split(".")[0], p.location, sorted(a for a, _ in p.participants)) for p in extraction.proposals]


def test_a_city_that_is_no_capital_gives_the_place_and_its_country_not_an_actor():
    [(family, location, actors)] = located("Russian and American diplomats held talks in Geneva on Tuesday.")
    assert family == "talks"
    assert location == {"name": "Geneva", "country": "CHE", "lat": None, "lon": None}
    assert actors == ["russia", "united-states"]  # Switzerland is where, not who
    [(_, location, actors)] = located("Российские и американские дипломаты провели переговоры в Стамбуле во вторник.")
    assert location == {"name": "Стамбуле", "country": "TUR", "lat": None, "lon": None}
    assert actors == ["russia", "united-states"]
    [(_, location, _)] = located("Officials of Iran and Saudi Arabia met in St. Petersburg on Monday.")
    assert location["country"] == "RUS"


def test_a_capital_still_names_its_state_as_the_host():
    [(_, location, actors)] = located("Russian and American diplomats held talks in Vienna on Tuesday.")
    assert location["country"] == "AUT"
    assert "austria" in actors


def test_an_unknown_place_keeps_its_name_without_a_country():
    [(_, location, _)] = located("Russian and American diplomats held talks in Zzyzxville on Tuesday.")
    assert location == {"name": "Zzyzxville", "country": None, "lat": None, "lon": None}


def expulsions(text, published="2021-04-23"):
    extraction = propose(f"Title\n\n{text}", published=published, actors=ACTORS, types=TYPES)
    return sorted(
        sorted((a, r) for a, r in p.participants) for p in extraction.proposals if p.type == "diplomats.expelled"
    )


def test_a_sentence_summing_up_several_expulsions_does_not_join_them():
    each = (
        "Latvia expelled two Russian diplomats on Monday. Estonia expelled three Russian diplomats on Tuesday. "
        "Latvia and Estonia expelled Russian diplomats this week, the agency said."
    )
    assert expulsions(each) == [
        [("estonia", "initiator"), ("latvia", "initiator"), ("russia", "target")],
        [("estonia", "initiator"), ("russia", "target")],
        [("latvia", "initiator"), ("russia", "target")],
    ]


def test_an_act_told_again_with_fewer_parties_merges_into_the_one_it_can_be():
    told_again = "Russia has expelled diplomats. Russia expelled two Latvian diplomats on Monday."
    assert expulsions(told_again) == [[("latvia", "target"), ("russia", "initiator")]]
    # Told beside two distinct acts, it goes to one of them alone: the two stay two.
    two = (
        "Russia has expelled diplomats. Russia expelled two Latvian diplomats on Monday. "
        "Russia expelled three Estonian diplomats on Tuesday."
    )
    assert expulsions(two) == [
        [("estonia", "target"), ("russia", "initiator")],
        [("latvia", "target"), ("russia", "initiator")],
    ]


def sides(text, published="2024-05-16"):
    extraction = propose(f"Title\n\n{text}", published=published, actors=ACTORS, types=TYPES)
    return [
        (p.type.split(".")[0], p.date.start.isoformat(), sorted(a for a, _ in p.participants))
        for p in extraction.proposals
    ]


def test_the_two_countries_are_the_two_states_named_last():
    text = "Relations between Armenia and Azerbaijan have been tense. The two countries held talks on Tuesday."
    assert sides(text) == [("talks", "2024-05-14", ["armenia", "azerbaijan"])]
    text = "Chile's minister flew to Peru. Both sides signed an agreement on fisheries on Monday."
    assert sides(text) == [("agreement", "2024-05-13", ["chile", "peru"])]
    text = "Отношения Армении и Азербайджана остаются напряжёнными. Обе стороны подписали соглашение в понедельник."
    assert sides(text) == [("agreement", "2024-05-13", ["armenia", "azerbaijan"])]


def test_the_two_koreas_are_north_and_south_korea():
    assert sides("The two Koreas on Friday announced an agreement.") == [
        ("agreement", "2024-05-10", ["north-korea", "south-korea"])
    ]


def test_a_collective_name_with_no_two_states_before_it_names_nobody():
    assert sides("The two countries held talks on Tuesday.") == []


def test_what_was_only_discussed_did_not_happen():
    text = "Russia and the United States discussed resuming direct flights on Monday."
    assert [family for family, _, _ in sides(text)] == []
    assert [family for family, _, _ in sides("Russia and the United States resumed direct flights on Monday.")] == [
        "flights"
    ]


def test_where_a_delegation_goes_is_where_the_talks_are():
    extraction = propose(
        "Title\n\nThe minister will lead the Latvian delegation to Geneva for talks with Estonia on 30 September.",
        published="2021-09-27",
        actors=ACTORS,
        types=TYPES,
    )
    [proposal] = extraction.proposals
    assert (proposal.type, proposal.location["name"], proposal.location["country"]) == ("talks", "Geneva", "CHE")
