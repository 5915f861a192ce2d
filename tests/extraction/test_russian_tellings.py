"""Russian articles that tell one event several ways: as announced and as planned, as an aim, in passing."""

from events.extraction import propose

from .test_russian import ACTORS, TYPES, proposed


def test_an_announced_act_another_sentence_calls_planned_is_one_planned_event():
    found = proposed(
        "Армения в ближайшее время планирует открыть посольство в Мали, сообщил замминистра Иван Петров.",
        title="Армения скоро откроет посольство в Мали",
    )
    assert [(code, status, start) for code, status, start, _, _ in found] == [
        ("missions.reopened", "proposed", "2024-06-14")
    ]
    assert found[0][4] == "ivan-petrov"  # the planning sentence's speaker, not the headline's voice


def test_an_act_dated_on_its_own_is_not_hedged_by_a_plan():
    found = proposed("Армения открыла посольство в Мали 3 июня. Армения также планирует открыть посольство в Мали.")
    assert sorted(status for _, status, _, _, _ in found) == ["occurred", "proposed"]


def test_discussing_with_a_state_is_talks_and_the_documents_aim_is_no_event():
    found = proposed("Армения обсуждает с Грузией документы для восстановления авиасообщения.")
    assert [(code, sorted(p)) for code, _, _, p, _ in found] == [
        ("talks", [("armenia", "participant"), ("georgia", "participant")])
    ]
    # Without the plan, the restoration itself is the news.
    [(code, *_)] = proposed("Армения и Грузия восстановили авиасообщение.")
    assert code == "flights.resumed"


def test_work_towards_a_return_types_nothing():
    assert proposed("Армения и Грузия работают над восстановлением авиасообщения.") == []


def test_what_would_follow_is_no_event():
    assert proposed("Возобновление авиасообщения между Арменией и Грузией способствовало бы торговле.") == []
    [(code, *_)] = proposed("Возобновление авиасообщения между Арменией и Грузией способствовало торговле.")
    assert code == "flights.resumed"


def test_an_offer_of_an_act_is_a_proposal_made_by_the_speakers_state():
    [(code, status, _, participants, claimed_by)] = proposed(
        "Мы предлагаем восстановить прямое авиасообщение с Грузией, сказал посол Армении в Грузии Иван Петров."
    )
    # The offer was made; Armenia (the speaker's "мы", not the state he is posted to) makes it.
    assert (code, status, claimed_by) == ("proposal", "occurred", "ivan-petrov")
    assert sorted(participants) == [("armenia", "initiator"), ("georgia", "target")]
    # An offer of a meeting stays that meeting, proposed.
    [(code, status, *_)] = proposed("Армения предложила провести встречу с Грузией в Ереване.")
    assert (code, status) == ("meeting", "proposed")


def test_the_states_of_a_speakers_title_take_no_role():
    [(code, _, _, participants, _)] = proposed(
        "Армения закроет консульство в Гюмри, сообщил посол Армении в Грузии Иван Петров."
    )
    assert code == "missions.closed"
    assert "georgia" not in [actor for actor, _ in participants]


def test_a_speaker_named_again_by_an_office_or_a_pronoun_claims_the_sentence():
    found = proposed(
        "Армения готова к диалогу с Грузией, заявил посол Армении в Грузии Иван Петров. "
        "«Мы предлагаем восстановить авиасообщение между нашими странами», — сказал журналистам дипломат."
    )
    assert ("proposal", "occurred", "2024-06-14", [("armenia", "initiator"), ("georgia", "target")], "ivan-petrov") in [
        (code, status, start, sorted(p), claim) for code, status, start, p, claim in found
    ]
    # Without a speaker named before, an office names nobody.
    assert proposed("«Мы предлагаем восстановить авиасообщение с Грузией», — сказал журналистам дипломат.") == []


def test_a_first_name_and_surname_next_to_a_verb_of_saying_is_a_speaker():
    [(code, _, _, participants, claimed_by)] = proposed(
        "Армения ответит на закрытие консульства в Грузии, заявил журналистам депутат парламента Иван Петров."
    )
    # A statement is about what it answers too: Georgia, named in the clause about the closure.
    assert (code, claimed_by) == ("statement", "ivan-petrov")
    assert ("georgia", "target") in participants
    [(_, _, _, _, claimed_by)] = proposed("Иван Петров сообщил, что Армения закроет посольство в Грузии.")
    assert claimed_by == "ivan-petrov"


def test_a_capitalised_pair_that_does_not_speak_is_no_person():
    extraction = propose(
        "Заголовок\n\nАрмения закроет посольство в Грузии. В Тбилиси прибыл Иван Петров.",
        published="2024-06-14",
        actors=ACTORS,
        types=TYPES,
    )
    assert extraction.people == []


def test_an_earlier_event_answered_with_its_own_day_is_proposed_too():
    found = proposed(
        "Армения выслала двух дипломатов Грузии. Эта мера стала ответом на принятое 2 мая грузинской стороной "
        "решение объявить персонами нон грата трёх дипломатов посольства Армении в Тбилиси."
    )
    assert ("diplomats.expelled", "2024-05-02", [("georgia", "initiator"), ("armenia", "target")], None) in [
        (code, start, participants, claimed_by) for code, _, start, participants, claimed_by in found
    ]
    # Without a day or month of its own, what is answered stays a cause only.
    found = proposed("Армения выслала двух дипломатов Грузии в ответ на высылку армянских дипломатов из Тбилиси.")
    assert [(code, participants) for code, _, _, participants, _ in found] == [
        ("diplomats.expelled", [("armenia", "initiator"), ("georgia", "target")])
    ]


def test_dated_talks_an_act_was_done_at_are_proposed_too():
    found = proposed("10 апреля Армения и Грузия условились о дорожной карте в ходе раунда консультаций в Стамбуле.")
    assert sorted((code, start) for code, _, start, _, _ in found) == [
        ("agreement", "2024-04-10"),
        ("talks", "2024-04-10"),
    ]
    # Undated, the talks are only the background of the agreement.
    found = proposed("Ранее в ходе консультаций в Стамбуле Армения и Грузия подписали соглашение о дорожной карте.")
    assert [code for code, *_ in found] == ["agreement"]


def test_working_to_open_a_mission_is_a_plan_dated_when_said():
    [(code, status, start, participants, _)] = proposed(
        "Кроме того, Армения работает над тем, чтобы открыть диппредставительство в Мали, отметил министр."
    )
    assert (code, status, start) == ("missions.reopened", "proposed", "2024-06-14")
    assert ("mali", "host") in participants


def test_breaking_into_a_missions_building_is_a_seizure():
    [(code, _, _, participants, _)] = proposed("Грузинские власти ворвались в школу при посольстве Армении.")
    assert code == "property.seizure"
    assert sorted(participants) == [("armenia", "target"), ("georgia", "initiator")]


def test_russian_wordings_of_postponing_and_calling_off():
    for text, status in (
        ("Встреча министров Армении и Грузии переносится на осень.", "postponed"),
        ("Перенос встречи министров Армении и Грузии объявили в Ереване.", "postponed"),
        ("Переговоры Армении и Грузии сорвались.", "cancelled"),
        ("Визит президента Армении в Грузию отменяется.", "cancelled"),
    ):
        [(_, found, start, _, _)] = proposed(text)
        # Undated in the lede: the calling off is the day's news.
        assert (found, start) == (status, "2024-06-14"), text
    # "переносной" (portable) is no postponement.
    [(_, status, *_)] = proposed("Армения и Грузия провели переговоры о переносной технике.")
    assert status == "occurred"


def test_russian_wordings_of_entry_bans_flight_stops_delisting_and_closing_work():
    for text, code in (
        ("Армения ввела запрет на въезд для десяти граждан Грузии.", "sanctions.imposed"),
        ("Санкции против Грузии были введены Арменией.", "sanctions.imposed"),
        ("Армения исключила из санкционного списка трёх граждан Грузии.", "sanctions.lifted"),
        ("Армения приостановила рейсы в Грузию.", "flights.ban"),
        ("Армения запретила пролёт грузинских самолётов.", "flights.ban"),
        ("Грузия объявила о прекращении работы генконсульства Армении в Батуми.", "missions.closed"),
    ):
        [(found, _, _, participants, _)] = proposed(text)
        assert found == code, text
        assert participants[0][1] == "initiator", text


def test_a_summit_still_to_come_is_scheduled_whether_written_with_yo_or_ye():
    for text in ("Саммит Армении и Грузии пройдёт в Ереване.", "Саммит Армении и Грузии пройдет в Ереване."):
        [(code, status, start, _, _)] = proposed(text)
        # Undated in the lede: dated when announced.
        assert (code, status, start) == ("meeting.summit", "scheduled", "2024-06-14"), text


def test_a_passive_act_after_the_same_familys_act_has_the_same_doer():
    found = proposed(
        "Армения ввела санкции против Грузии 3 июня.\n\nОдновременно были продлены санкции в отношении граждан Турции."
    )
    assert [(code, start, participants) for code, _, start, participants, _ in found] == [
        ("sanctions.imposed", "2024-06-03", [("armenia", "initiator"), ("georgia", "target")]),
        ("sanctions.imposed", "2024-06-03", [("armenia", "initiator"), ("turkiye", "target")]),
    ]
    # An active verb names its own doer, or none: "несколько стран" is not the last act's doer.
    found = proposed(
        "Армения выслала дипломатов Грузии 3 июня. Несколько стран объявили, что высылают дипломатов Турции."
    )
    assert len(found) == 1


def test_said_in_the_ministry_by_its_lower_case_noun_is_the_foreign_ministrys_claim():
    found = proposed(
        "МИД Армении вызвал посла Грузии. Армения закроет консульство Грузии в Гюмри, сообщили в ведомстве."
    )
    assert [claimed_by for code, *_, claimed_by in found if code == "missions.closed"] == ["armenia-foreign-ministry"]
    # An article that never names the ministry: "ведомство" may be any other.
    [(_, _, _, _, claimed_by)] = proposed("Армения закроет консульство Грузии в Гюмри, сообщили в ведомстве.")
    assert claimed_by is None


def test_a_speaker_a_few_words_before_the_verb_of_saying_claims_the_sentence():
    [(_, _, _, _, claimed_by)] = proposed(
        "Посол Армении в Грузии Иван Петров на пресс-конференции заявил, что Армения закроет консульство в Гюмри."
    )
    assert claimed_by == "ivan-petrov"
    # A state that acts and then says something is the doer, not a claimant.
    [(_, _, _, participants, claimed_by)] = proposed("Армения выслала дипломатов Грузии и заявила о новых мерах.")
    assert (participants[0], claimed_by) == (("armenia", "initiator"), None)
