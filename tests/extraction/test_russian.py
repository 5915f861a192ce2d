"""Russian sentences through `propose`: triggers, roles from case, claimants, dates and status."""

from events.extraction import propose

from .helpers import gazetteer_actors, taxonomy_types

ACTORS = gazetteer_actors()
TYPES = taxonomy_types()


def proposed(text, published="2024-06-14", title="Заголовок"):
    """(type, status, start, [(actor, role)], claimed_by) of each proposal from a short Russian article."""
    extraction = propose(f"{title}\n\n{text}", published=published, actors=ACTORS, types=TYPES)
    return [
        (p.type, p.status, p.date.start.isoformat(), list(p.participants), p.claimed_by) for p in extraction.proposals
    ]


def test_imperfective_and_participle_forms_of_expelling_are_triggers():
    [(code, _, _, roles, _)] = proposed("Норвегия высылает трех российских дипломатов, сообщило агентство.")
    assert (code, roles) == ("diplomats.expelled", [("norway", "initiator"), ("russia", "target")])
    [(code, _, _, roles, _)] = proposed("Норвегия вручила ноту со списком выдворяемых шведских дипломатов.")
    assert (code, roles) == ("diplomats.expelled", [("norway", "initiator"), ("sweden", "target")])


def test_an_order_to_leave_and_an_ended_accreditation_are_expulsions():
    [(code, _, _, roles, _)] = proposed("Хельсинки будут вынуждены покинуть два российских дипломата.")
    assert (code, roles) == ("diplomats.expelled", [("finland", "initiator"), ("russia", "target")])
    [(code, _, _, _, _)] = proposed("Финляндия объявила о прекращении аккредитации двух сотрудников посольства России.")
    assert code == "diplomats.expelled"


def test_a_cut_in_diplomatic_presence_is_a_staff_limit():
    [(code, _, _, _, _)] = proposed("Швеция сократит дипломатическое присутствие России в Стокгольме.")
    assert code == "diplomats.staff_limits"


def test_a_state_adjective_before_dipsotrudnik_names_the_state():
    [(_, _, _, roles, _)] = proposed("Москва объявила персонами нон грата пятерых норвежских дипсотрудников.")
    assert roles == [("russia", "initiator"), ("norway", "target")]


def test_what_a_state_answers_is_an_earlier_event():
    # "ответит на высылки": the expulsions answered are background, not the news.
    found = proposed("Ранее Москва заявила, что ответит на высылки российских дипломатов из Эстонии.")
    assert [code for code, *_ in found] == ["statement"]
    [(code, _, _, roles, _)] = proposed(
        "Эстония отреагировала на высылку, ее МИД объявил персоной нон грата российского дипломата."
    )
    assert (code, [a for a, r in roles if r == "initiator"]) == ("diplomats.expelled", ["estonia"])


def test_a_speaker_named_after_the_verb_with_a_title_claims_the_sentence():
    [(_, status, _, _, claimed_by)] = proposed(
        "Норвегия намерена возобновить работу посольства в Киеве, сообщил замглавы МИД Норвегии Олег Петров."
    )
    assert (status, claimed_by) == ("proposed", "oleg-petrov")


def test_a_quoted_message_of_a_ministry_is_its_claim():
    [(_, _, _, _, claimed_by)] = proposed(
        "«Норвегия высылает двух российских дипломатов», - говорится в сообщении, размещенном на сайте МИД Норвегии."
    )
    assert claimed_by == "norway-foreign-ministry"


def test_ob_etom_soobshchili_attributes_the_sentence_before():
    found = proposed(
        "Из Норвегии будут высланы три российских дипломата. Об этом сообщили в норвежском Министерстве "
        "иностранных дел."
    )
    assert [(code, claimed_by) for code, _, _, _, claimed_by in found] == [
        ("diplomats.expelled", "norway-foreign-ministry")
    ]


def test_a_russian_past_continues_the_date_of_the_sentence_before():
    found = proposed(
        "Делегации Норвегии и Швеции встретились в понедельник. Переговоры Норвегии и Швеции в Осло продлились "
        "три часа."
    )
    assert ("talks", "2024-06-10") in [(code, start) for code, _, start, _, _ in found]


def test_an_undated_intention_in_the_lede_is_dated_when_stated():
    [(code, status, start, _, _)] = proposed("Норвегия намерена вновь открыть посольство в Триполи.")
    assert (code, status, start) == ("missions.reopened", "proposed", "2024-06-14")


def test_the_instrumental_is_the_agent_of_a_passive():
    [(code, _, _, roles, _)] = proposed(
        "Трем сотрудникам посольства России шведскими властями предписано покинуть страну."
    )
    assert (code, roles) == ("diplomats.expelled", [("sweden", "initiator"), ("russia", "target")])
    # With a preposition the instrumental is company, not agency.
    [(code, _, _, roles, _)] = proposed("Норвегия вместе со Швецией выслала трех российских дипломатов.")
    assert ("sweden", "initiator") not in roles


def test_an_act_told_again_with_more_of_its_parties_is_one_proposal():
    found = proposed(
        "Москва объявила персонами нон грата ряд норвежских дипломатов. "
        "«В среду послу Норвегии вручена нота со списком выдворяемых норвежских и шведских дипломатов», - "
        "говорится в сообщении МИД России."
    )
    [(code, _, start, roles, _)] = found
    assert (code, start) == ("diplomats.expelled", "2024-06-12")
    assert {"russia": "initiator", "norway": "target", "sweden": "target"}.items() <= dict(roles).items()


def test_the_owner_of_the_airspace_closes_it():
    [(code, _, _, roles, _)] = proposed("Теперь воздушное пространство Норвегии закрыто для российских самолетов.")
    assert (code, roles) == ("flights.ban", [("norway", "initiator"), ("russia", "target")])


def test_an_act_reported_in_the_present_is_the_days_news():
    found = proposed(
        "Власти готовят ответ. Норвегия запретила полеты российских самолетов над своей территорией, сообщает "
        "агентство."
    )
    assert [(code, start) for code, _, start, _, _ in found] == [("flights.ban", "2024-06-14")]


def test_the_state_the_missions_stand_in_limits_their_staff():
    [(code, _, _, roles, _)] = proposed("Швеция сократит штат своих дипмиссий в Норвегии с 1 июля.")
    assert (code, roles) == ("diplomats.staff_limits", [("norway", "initiator"), ("sweden", "target")])


def test_the_dative_is_acted_on_and_an_act_without_its_doer_merges_with_the_one_that_names_it():
    found = proposed(
        "Норвегия сократит штат британского посольства с 1 июля. Лондону запрещено нанимать граждан Норвегии."
    )
    assert [(code, roles) for code, _, _, roles, _ in found] == [
        ("diplomats.staff_limits", [("norway", "initiator"), ("united-kingdom", "target")])
    ]
