"""English wordings of the beat read by general rules: names, triggers, dates, who acts, who says."""

from .test_english_rules import proposed

# ---------------------------------------------------------------- what names a thing types nothing


def test_a_word_of_a_named_body_before_its_acronym_types_nothing():
    # "Treaty" is part of the body's name: the sentence is a meeting, not an agreement.
    [(code, status, start, _, roles, _)] = proposed(
        "On 3 October 2024 a joint session of the Council of Ministers of the Northern Treaty Union (NTU) "
        "will take place in Oslo, attended by Finland and Sweden.",
        published="2024-09-20",
    )
    assert (code, status, start) == ("meeting", "scheduled", "2024-10-03")
    # Without the acronym the words are no name: "treaty" still types an agreement.
    [(code, *_)] = proposed("Finland and Sweden signed a northern treaty on Monday.", published="2024-09-20")
    assert code == "agreement"


# ---------------------------------------------------------------- trigger wordings


def test_cancelling_a_decree_that_banned_flights_resumes_them():
    [(code, _, start, _, roles, _)] = proposed(
        "On June 3, Georgia cancelled the 2020 decree banning Belarusian carriers from flying to Tbilisi.",
        published="2024-09-20",
    )
    assert (code, start) == ("flights.resumed", "2024-06-03")
    assert roles == [("georgia", "initiator"), ("belarus", "target")]


def test_lifting_a_ban_on_flights_resumes_them():
    [(code, *_)] = proposed("Kazakhstan lifted the ban on flights to Armenia on Monday.", published="2024-09-20")
    assert code == "flights.resumed"


def test_removing_diplomatic_status_from_premises_is_a_seizure():
    [(code, _, _, _, roles, _)] = proposed(
        "Norway removed diplomatic premises status from two Belarusian-owned buildings in Bergen on Monday.",
        published="2024-09-20",
    )
    assert code == "property.seizure"
    assert ("norway", "initiator") in roles


def test_restrictions_on_diplomatic_visas_limit_staff():
    [(code, _, _, _, roles, _)] = proposed(
        "Denmark is imposing new restrictions on Belarusian diplomatic visas.", published="2024-09-20"
    )
    assert code == "diplomats.staff_limits"
    assert roles == [("denmark", "initiator"), ("belarus", "target")]


def test_a_delisting_lifts_sanctions():
    [(code, *_)] = proposed(
        "Canada delisted three Belarusian banks on Monday, the finance ministry said.", published="2024-09-20"
    )
    assert code == "sanctions.lifted"


# ---------------------------------------------------------------- dates


def test_a_year_naming_a_thing_does_not_date_the_event():
    # "the 2015 decree" names the decree; the sentence's own day dates the act.
    [(_, _, start, precision, _, _)] = proposed(
        "On July 8, Finland ended the 2019 agreement on visa-free travel with Belarus.", published="2024-09-20"
    )
    assert (start, precision) == ("2024-07-08", "day")
    # A year after a preposition still dates: "closed in 2019".
    [(_, _, start, precision, _, _)] = proposed(
        "Finland closed the Belarusian embassy in Helsinki in 2019, the ministry recalled.", published="2024-09-20"
    )
    assert (start, precision) == ("2019-01-01", "year")


# ---------------------------------------------------------------- who acts, and whether it is a threat


def test_the_one_who_said_it_was_acting_does_the_act():
    # "it" is the ministry; "by Belarusian troops" is no agent of the expulsion.
    [(code, _, _, _, roles, claim)] = proposed(
        "Preamble without an event.\n\nThe Polish Foreign Ministry said it was expelling 12 Belarusian "
        "diplomats amid reports of attacks on border guards by Belarusian troops.",
        published="2024-09-20",
    )
    assert code == "diplomats.expelled"
    assert ("poland", "initiator") in roles and ("belarus", "target") in roles
    assert ("belarus", "initiator") not in roles
    assert claim == "poland-foreign-ministry"


def test_a_reported_would_announces_the_act_rather_than_threatens_it():
    [(code, status, *_)] = proposed(
        "Preamble without an event.\n\nLithuania said on Monday that it would close the Belarusian consulate "
        "in Klaipeda.",
        published="2024-09-20",
    )
    assert (code, status) == ("missions.closed", "occurred")
    # A modal of the article's own voice still threatens.
    [(_, status, *_)] = proposed("Preamble.\n\nLithuania could close the Belarusian consulate in Klaipeda.")
    assert status == "proposed"


# ---------------------------------------------------------------- who says it


def test_a_title_with_where_its_holder_is_sent_names_the_person():
    [(_, _, _, _, _, claim)] = proposed(
        "Preamble.\n\nOslo has handed Minsk a list of demands, Norway's new Ambassador to Belarus Kari Nordmann "
        "said in an interview.",
        published="2024-09-20",
    )
    assert claim == "kari-nordmann"


def test_a_lower_case_ministry_title_names_the_person():
    [(code, _, _, _, roles, claim)] = proposed(
        "Preamble.\n\nThe Danish sanctions on Chinese firms are unacceptable, foreign ministry spokeswoman "
        "Li Mei told a regular briefing on Tuesday.",
        published="2024-09-20",
    )
    assert claim == "li-mei"


def test_a_name_without_a_title_that_speaks_is_a_person():
    [(code, _, _, _, roles, claim)] = proposed(
        "Preamble.\n\nJane Holm told parliament that Sweden will expel two Belarusian diplomats.",
        published="2024-09-20",
    )
    assert (code, claim) == ("diplomats.expelled", "jane-holm")
    assert roles == [("sweden", "initiator"), ("belarus", "target")]
    # A street or a palace that speaks is no person; an honorific is no first name.
    for text in (
        "Downing Street said Britain will expel two Belarusian diplomats.",
        "Britain will expel two Belarusian diplomats, said Mr Holm.",
    ):
        [(_, _, _, _, _, claim)] = proposed(f"Preamble.\n\n{text}", published="2024-09-20")
        assert claim in (None, "united-kingdom-government")


def test_he_said_and_the_ambassador_added_name_the_person_named_before():
    text = (
        "Preamble.\n\nNorway's Ambassador to Belarus Kari Nordmann spoke to reporters in Minsk on Monday.\n\n"
        "“Norway will expel two Belarusian diplomats,” he said.\n\n"
        "Norway will also close the Belarusian consulate in Bergen, the ambassador added."
    )
    found = {code: claim for code, _, _, _, _, claim in proposed(text, published="2024-09-20")}
    assert found == {"diplomats.expelled": "kari-nordmann", "missions.closed": "kari-nordmann"}
    # With nobody named before, "he" names nobody; "the minister" names no ambassador.
    assert proposed("Preamble.\n\n“Norway will expel two Belarusian diplomats,” he said.")[0][5] is None
    text = "Preamble.\n\nAmbassador Kari Nordmann arrived.\n\nNorway will expel two diplomats, the minister said."
    assert [p[5] for p in proposed(text) if p[0] == "diplomats.expelled"] == [None]


def test_the_ministry_said_names_the_ministry_named_before():
    text = (
        "Preamble.\n\nThe Polish Foreign Ministry summoned the Belarusian ambassador on Thursday.\n\n"
        "Poland will expel two Belarusian diplomats, the ministry said."
    )
    found = [(code, claim) for code, _, _, _, _, claim in proposed(text, published="2024-09-20")]
    assert ("diplomats.expelled", "poland-foreign-ministry") in found
    # No ministry named before: "the ministry" names none.
    [(_, _, _, _, _, claim)] = proposed("Preamble.\n\nPoland will expel two Belarusian diplomats, the ministry said.")
    assert claim is None


def test_a_release_names_its_body_by_its_head_noun_within_a_sentence():
    publisher = "Council of the European Union"
    [(code, _, start, _, roles, _)] = proposed(
        "Preamble.\n\nOn 3 March 2019, the Council adopted restrictive measures against Belarus.",
        published="2024-02-28",
        publisher=publisher,
    )
    assert (code, start) == ("sanctions.imposed", "2019-03-03")
    assert ("european-union", "initiator") in roles and ("belarus", "target") in roles
    # The press has no body of its own: "the Council" names nobody.
    assert (
        proposed(
            "Preamble.\n\nOn 3 March 2019, the Council adopted restrictive measures against Belarus.",
            publisher="Daily Courier",
        )
        == []
    )


def test_a_year_in_a_document_number_is_no_date():
    # "Decision 2019/41/CFSP", "Regulation 833/2014": numbers of documents; the day written dates the act.
    [(_, _, start, precision, _, _)] = proposed(
        "Preamble.\n\nOn 3 March 2019, Norway adopted Decision 2019/41/CFSP imposing sanctions on Belarus.",
        published="2024-02-28",
    )
    assert (start, precision) == ("2019-03-03", "day")
    [(_, _, start, precision, _, _)] = proposed(
        "Preamble.\n\nIn June 2019, Norway amended Regulation 833/2014 to impose sanctions on Belarus.",
        published="2024-02-28",
    )
    assert (start, precision) == ("2019-06-01", "month")


def test_a_start_from_a_day_without_a_year_is_the_nearer_such_day():
    # Said on 18 March: "from March 25" is a week ahead, not last year's; a day ahead is still to come.
    [(code, status, start, _, _, _)] = proposed(
        "Preamble.\n\nArmenia has given its consent to resume flights to Georgia from March 25.",
        published="2024-03-18",
    )
    assert (code, status, start) == ("flights.resumed", "scheduled", "2024-03-25")
    # From a day a week before publication: that day, past.
    [(code, status, start, _, _, _)] = proposed(
        "Preamble.\n\nArmenia banned flights to Georgia from March 11.", published="2024-03-18"
    )
    assert (code, status, start) == ("flights.ban", "occurred", "2024-03-11")
    # Not after "from": a day without a year in the past tense is the latest before publication.
    [(_, _, start, _, _, _)] = proposed(
        "Preamble.\n\nArmenia banned flights to Georgia on March 25.", published="2024-03-18"
    )
    assert start == "2023-03-25"


def test_whom_a_proposal_is_given_receives_it():
    # Active: the indirect object after "given" receives the plan; passive: the subject receives it.
    [(code, _, _, _, roles, _)] = proposed(
        "Preamble.\n\nPoland has given the Lithuanian side a roadmap on Monday.", published="2024-09-20"
    )
    assert code == "proposal"
    assert roles == [("poland", "initiator"), ("lithuania", "target")]
    [(code, _, _, _, roles, _)] = proposed(
        "Preamble.\n\nThe Lithuanian side has been given a roadmap by Poland.", published="2024-09-20"
    )
    assert roles == [("poland", "initiator"), ("lithuania", "target")]
    # A passive with nobody named as giving: the receiver does not make the proposal.
    assert proposed("Preamble.\n\nThe Lithuanian side has been given a roadmap.", published="2024-09-20") == []


def test_in_consultation_with_is_advice_not_talks():
    assert proposed("Preamble.\n\nNorway decided in consultation with Sweden to stay out.") == []
    [(code, *_)] = proposed("Preamble.\n\nNorway held consultations with Sweden on Monday.", published="2024-09-20")
    assert code == "talks"


def test_the_first_since_a_date_is_not_dated_by_it():
    # "since 2019" is when the last such visit was, not this one: the present dates it to the month.
    [(code, _, start, precision, _, _)] = proposed(
        "Preamble.\n\nNorway said its foreign minister is the first Norwegian minister to visit Belarus since 2019.",
        published="2024-09-20",
    )
    assert (code, start, precision) == ("meeting", "2024-09-01", "month")
    # A "since" without "first" still dates, as a clause about an earlier event (one precision coarser).
    [(_, _, start, precision, _, _)] = proposed(
        "Preamble.\n\nNorway said its foreign minister is visiting Belarus since March 2019.",
        published="2024-09-20",
    )
    assert (start, precision) == ("2019-01-01", "year")


def test_a_visit_someone_will_pay_is_scheduled():
    [(code, status, start, _, _, _)] = proposed(
        "Preamble.\n\nNorway's foreign minister will pay a working visit to Belarus on October 10-12.",
        published="2024-09-20",
    )
    assert (code, status, start) == ("meeting", "scheduled", "2024-10-10")
    [(code, status, *_)] = proposed(
        "Preamble.\n\nNorway's foreign minister paid a working visit to Belarus on September 10.",
        published="2024-09-20",
    )
    assert (code, status) == ("meeting", "occurred")


def test_a_state_that_closes_a_mission_on_its_soil_is_not_also_its_host():
    [(code, _, _, _, roles, _)] = proposed(
        "Preamble.\n\nNorway has ordered Belarus to close its embassy in Oslo.", published="2024-09-20"
    )
    assert code == "missions.closed"
    assert roles == [("norway", "initiator"), ("belarus", "target")]
    # Another state's soil stays the host.
    [(code, _, _, _, roles, _)] = proposed(
        "Preamble.\n\nNorway has closed its embassy in Minsk.", published="2024-09-20"
    )
    assert ("norway", "initiator") in roles and ("belarus", "host") in roles
