"""Russian sentences through `propose`: who does an act told without its doer, what hiring caps, flights and
sanctions renewed read as, and when."""

from events.extraction import propose

from .helpers import gazetteer_actors, taxonomy_types

ACTORS = gazetteer_actors()
TYPES = taxonomy_types()


def extraction_of(text, published="2024-06-14", title="Заголовок", publisher=None):
    return propose(f"{title}\n\n{text}", published=published, publisher=publisher, actors=ACTORS, types=TYPES)


def proposed(text, published="2024-06-14", title="Заголовок", publisher=None):
    """(type, status, start, [(actor, role)], claimed_by) of each proposal from a short Russian article."""
    extraction = extraction_of(text, published, title, publisher)
    return [
        (p.type, p.status, p.date.start.isoformat(), list(p.participants), p.claimed_by) for p in extraction.proposals
    ]


def test_the_ministry_written_with_a_case_ending_claims_the_sentence():
    [(_, _, _, _, claimed_by)] = proposed(
        "Норвегия закроет генконсульство Швеции в Бергене, сообщается на сайте МИДа Норвегии."
    )
    assert claimed_by == "norway-foreign-ministry"
    # Without its state, "МИДа" is the ministry of the state the article names most.
    [(_, _, _, _, claimed_by)] = proposed("Норвегия закроет генконсульство Швеции в Бергене, сообщается на сайте МИДа.")
    assert claimed_by == "norway-foreign-ministry"


def test_officials_are_no_modal_of_obligation():
    # "должностные лица" (officials) is not "должны" (must): the act is the news, not an opinion.
    [(code, *_)] = proposed(
        "«Должностные лица шведского посольства объявляются персонами нон грата», — говорится в сообщении МИД Норвегии."
    )
    assert code == "diplomats.expelled"


def test_states_whose_missions_are_named_by_coordinated_adjectives_are_acted_on():
    [(code, _, _, roles, _)] = proposed(
        "Норвегия объявила персонами нон грата глав шведской и финляндских консульских миссий."
    )
    assert (code, roles) == (
        "diplomats.expelled",
        [("norway", "initiator"), ("finland", "target"), ("sweden", "target")],
    )


def test_an_act_without_its_doer_in_a_ministrys_message_is_its_states():
    [(code, status, start, roles, claimed_by)] = proposed(
        "«Главы консульских миссий Швеции объявляются персонами нон грата», — говорится в сообщении МИДа Норвегии."
    )
    assert (code, status, start, claimed_by) == (
        "diplomats.expelled",
        "occurred",
        "2024-06-14",
        "norway-foreign-ministry",
    )
    assert ("norway", "initiator") in roles and ("sweden", "target") in roles


def test_a_headline_takes_the_claimant_of_the_body_sentence_that_tells_it_again():
    found = proposed(
        "Норвегия закроет генконсульство Швеции в Бергене, сообщается на сайте МИДа Норвегии.",
        title="Норвегия закроет генконсульство Швеции в Бергене",
    )
    assert [(code, claimed_by) for code, _, _, _, claimed_by in found] == [
        ("missions.closed", "norway-foreign-ministry")
    ]


def test_a_russian_agencys_dateline_is_cut_and_names_the_home_state():
    extraction = extraction_of(
        "САНКТ-ПЕТЕРБУРГ, 28 июля. /ТАСС/. Норвегия в ближайшее время планирует открыть посольство в Мали.\n\n"
        "ОСЛО, 31 авг — РИА Новости. Норвегия закроет посольство в Мали."
    )
    assert extraction.article.paragraphs[0].text.startswith("Норвегия в ближайшее время")
    assert extraction.article.place == "Санкт-Петербург"
    # The first sentence after the dateline is the lede: an intention in it is dated when stated.
    assert [(p.type, p.status, p.date.start.isoformat()) for p in extraction.proposals][:1] == [
        ("missions.reopened", "proposed", "2024-06-14")
    ]


def test_ob_etom_zayavil_names_the_speaker_of_the_sentence_before():
    [(_, _, _, _, claimed_by)] = proposed(
        "Норвегия планирует открыть посольство в Мали. Об этом заявил в интервью агентству замглавы МИД "
        "Норвегии Олег Петров."
    )
    assert claimed_by == "oleg-petrov"


def test_states_listed_with_i_are_all_where_the_missions_open():
    [(_, _, _, roles, _)] = proposed("Норвегия планирует открыть посольства в Экваториальной Гвинее и Буркина-Фасо.")
    assert roles == [("norway", "initiator"), ("burkina-faso", "host"), ("equatorial-guinea", "host")]


def test_an_intention_said_now_is_dated_when_said_anywhere_in_the_article():
    found = proposed(
        "Норвегия открыла посольство в Мали 3 июня. По словам министра, Норвегия также планирует вновь открыть "
        "консульство в Бамако в Мали."
    )
    assert ("missions.reopened", "proposed", "2024-06-14") in [
        (code, status, start) for code, status, start, *_ in found
    ]


def test_caps_on_hiring_and_on_the_number_of_staff_are_staff_limits():
    [(code, _, _, roles, _)] = proposed(
        "Правительство Норвегии ограничило наём местного персонала посольствами Греции, Дании и Словакии."
    )
    assert code == "diplomats.staff_limits"
    assert [a for a, r in roles if r == "target"] == ["denmark", "greece", "slovakia"]
    [(code, _, _, roles, _)] = proposed(
        "Количество сотрудников шведского посольства в Норвегии сократят до 25 человек."
    )
    assert (code, roles) == ("diplomats.staff_limits", [("norway", "initiator"), ("sweden", "target")])


def test_the_missions_of_each_side_in_the_other_name_no_state_as_limiting_them():
    [(code, _, _, roles, _)] = proposed(
        "Посла Швеции вызвали в МИД Норвегии, чтобы сообщить о решении об уравнивании численности персонала в "
        "диппредставительствах Норвегии в Швеции и Швеции в Норвегии."
    )
    assert code == "diplomats.staff_limits"
    assert ("norway", "initiator") in roles and ("sweden", "target") in roles


def test_flights_resumed_from_a_day_ahead_are_scheduled_whatever_the_verbs_aspect():
    for sentence in (
        "Норвегия открывает авиасообщение со Швецией с 21 марта.",
        "Норвегия возобновляет полёты в Швецию с 21 марта.",
    ):
        assert proposed(sentence, published="2024-03-19") == [
            ("flights.resumed", "scheduled", "2024-03-21", [("norway", "initiator"), ("sweden", "target")], None)
        ]


def test_where_flights_go_is_whom_the_act_concerns():
    [(code, _, start, roles, _)] = proposed("Норвегия с 21 марта возобновит полёты в Швецию, Данию и Финляндию.")
    assert (code, start) == ("flights.resumed", "2025-03-21")
    assert roles == [("norway", "initiator"), ("denmark", "target"), ("finland", "target"), ("sweden", "target")]


def test_flights_between_two_states_told_in_the_passive_have_both_as_parties():
    [(code, status, start, roles, _)] = proposed(
        "Регулярное авиасообщение между Норвегией и Швецией будет восстановлено с 21 марта.", published="2024-03-19"
    )
    assert (code, status, start) == ("flights.resumed", "scheduled", "2024-03-21")
    assert roles == [("norway", "participant"), ("sweden", "participant")]


def test_a_date_run_into_the_full_stop_starts_a_sentence():
    from events.extraction.sentences import split_sentences

    assert split_sentences("Они должны покинуть страну в течение восьми дней.23 июня стало известно о высылке.") == [
        "Они должны покинуть страну в течение восьми дней.",
        "23 июня стало известно о высылке.",
    ]


def test_a_state_before_a_verb_and_whom_it_tells_is_the_doer():
    [(code, _, start, roles, _)] = proposed(
        "27 мая МИД Норвегии объявил послу Швеции в Осло о высылке восьмерых сотрудников посольства."
    )
    assert (code, start) == ("diplomats.expelled", "2024-05-27")
    assert ("norway", "initiator") in roles and ("sweden", "target") in roles


def test_whose_sanctions_they_are_imposes_them():
    [(code, _, start, roles, _)] = proposed("Секторальные санкции ЕС против Норвегии впервые были введены в 2014 году.")
    assert (code, start, roles) == (
        "sanctions.imposed",
        "2014-01-01",
        [("european-union", "initiator"), ("norway", "target")],
    )


def test_an_act_told_with_a_short_participle_in_the_lede_is_the_days_news():
    [(code, _, start, roles, _)] = proposed("Санкции США против Норвегии продлены.", published="2024-07-26")
    assert (code, start, roles) == (
        "sanctions.imposed",
        "2024-07-26",
        [("united-states", "initiator"), ("norway", "target")],
    )


def test_uslovilis_is_an_agreement():
    [(code, _, start, roles, _)] = proposed("10 апреля Норвегия и Швеция условились разработать дорожную карту.")
    assert (code, start, roles) == ("agreement", "2024-04-10", [("norway", "participant"), ("sweden", "participant")])


def test_a_warning_of_consequences_is_a_statement_the_article_reports():
    found = proposed(
        "Швеция закрыла школу при посольстве Норвегии 29 апреля. В МИД Норвегии заявили, что шаг Швеции не "
        "останется без последствий для шведских властей."
    )
    assert ("statement", "norway-foreign-ministry") in [(code, claimed_by) for code, *_, claimed_by in found]


def test_flights_resumed_are_read_in_the_reflexive_and_as_air_links():
    # "возобновляется авиасообщение" (a schedule, reflexive), "воздушное сообщение" for "авиасообщение", and
    # "открываются авиарейсы".
    [(code, status, start, roles, _)] = proposed(
        "С 21 июня возобновляется авиасообщение между Россией и Белоруссией.", published="2024-06-14"
    )
    assert (code, status, start) == ("flights.resumed", "scheduled", "2024-06-21")
    assert sorted(roles) == [("belarus", "participant"), ("russia", "participant")]
    [(code, *_)] = proposed("Россия возобновляет воздушное сообщение с Испанией.")
    assert code == "flights.resumed"
    [(code, *_)] = proposed("С 27 июня Россия открывает авиарейсы в Южную Корею.")
    assert code == "flights.resumed"


def test_every_name_of_a_list_after_s_is_company_not_the_agent():
    # "с Испанией, Ираком и Словакией": the preposition governs each instrumental of the list, as it does after
    # a noun and a colon ("со странами СНГ: Белоруссией, Казахстаном"); the nominative subject acts.
    [(code, _, _, roles, _)] = proposed("Россия возобновляет авиасообщение с Испанией, Ираком, Кенией и Словакией.")
    assert code == "flights.resumed"
    assert roles[0] == ("russia", "initiator")
    assert {actor for actor, role in roles if role == "initiator"} == {"russia"}
    [(_, _, _, roles, _)] = proposed(
        "Россия возобновляет авиасообщение со странами СНГ: Белоруссией, Казахстаном и Киргизией."
    )
    assert {actor for actor, role in roles if role == "initiator"} == {"russia"}
    # An instrumental that stands alone still names the agent.
    [(_, _, _, roles, _)] = proposed("Американскими властями предписано покинуть страну трём дипломатам России.")
    assert roles == [("united-states", "initiator"), ("russia", "target")]


def test_a_meeting_of_heads_of_state_is_a_summit_and_an_organisations_summit_needs_no_second_side():
    [(code, status, start, _, _)] = proposed("Встреча глав государств СНГ, намеченная на 16 октября, перенесена.")
    assert (code, status, start) == ("meeting.summit", "postponed", "2024-10-16")
    [(code, *_)] = proposed("Встреча президентов России и Белоруссии состоится в Москве 20 июня.")
    assert code == "meeting.summit"


def test_relations_restored_or_established_are_an_agreement():
    [(code, status, start, roles, _)] = proposed("Сирия и Саудовская Аравия восстановили дипломатические отношения.")
    assert (code, status, start) == ("agreement", "occurred", "2024-06-14")
    assert sorted(roles) == [("saudi-arabia", "participant"), ("syria", "participant")]
