"""English sentence patterns the extractor reads (events/extraction/), each through `propose`."""

from events.extraction import propose
from events.extraction.sentences import split_sentences

from .helpers import gazetteer_actors, taxonomy_types

ACTORS = gazetteer_actors()
TYPES = taxonomy_types()


def proposed(text, published="2023-09-14", title="A headline of the article", **kwargs):
    """(type, status, start, precision, [(actor, role)], claimed_by) of each proposal of an article."""
    extraction = propose(f"{title}\n\n{text}", published=published, actors=ACTORS, types=TYPES, **kwargs)
    return [
        (p.type, p.status, p.date.start.isoformat(), p.date.precision, list(p.participants), p.claimed_by)
        for p in extraction.proposals
    ]


def test_may_with_a_capital_is_a_name_not_a_threat():
    [(code, status, start, _, roles, _)] = proposed(
        "Prime Minister Jane May has expelled 12 Latvian diplomats from the UK.", published="2024-03-14"
    )
    assert (code, status, start) == ("diplomats.expelled", "occurred", "2024-03-14")
    [(_, status, *_)] = proposed("The UK may expel 12 Latvian diplomats, the minister said.")
    assert status == "proposed"


def test_as_a_reaction_to_opens_a_clause_about_an_earlier_event():
    # The earlier expulsion's date is not the news's: the lede is dated to the publication day.
    [(code, _, start, _, roles, _)] = proposed(
        "Moldova has declared three Latvian diplomats personae non gratae, as a reaction to a similar step "
        "taken by Latvia on March 2, 2024.",
        published="2024-03-14",
    )
    assert (code, start) == ("diplomats.expelled", "2024-03-14")
    assert roles == [("moldova", "initiator"), ("latvia", "target")]


def test_the_following_states_is_no_clause_about_an_earlier_event():
    [(code, _, _, _, roles, _)] = proposed(
        "The following countries have closed their airspace to Belarusian planes: Poland and Lithuania."
    )
    assert code == "flights.ban"
    # The list after the colon is the subject.
    assert roles == [("lithuania", "initiator"), ("poland", "initiator"), ("belarus", "target")]


def test_employed_by_an_embassy_names_its_owner_not_an_agent():
    [(_, _, _, _, roles, _)] = proposed(
        "Moldova has declared five persons employed by the Latvian Embassy in Chisinau personae non gratae."
    )
    assert roles == [("moldova", "initiator"), ("latvia", "target")]


def test_a_date_after_by_is_a_deadline_even_in_the_phrase():
    [(code, _, start, precision, _, _)] = proposed(
        "“Belarus will close the Latvian consulate in Vitebsk. These closures will need "
        "to be accomplished by September 2.",
        published="2024-09-01",
    )
    assert code == "missions.closed"
    assert (start, precision) != ("2023-09-02", "day")


def test_a_quotation_running_on_into_the_next_paragraph_does_not_join_its_sentences():
    paragraph = "“The talks went well. We will meet again in May."
    assert split_sentences(paragraph) == ["“The talks went well.", "We will meet again in May."]
    assert split_sentences("“The talks went well. We will meet again,” he said.") == [
        "“The talks went well. We will meet again,” he said."
    ]


def test_two_names_sharing_their_last_word_are_both_found():
    mentions = [m.actor for m in ACTORS.find("South and North Korea have agreed, as North or South Korea said.")]
    assert mentions == ["south-korea", "north-korea", "north-korea", "south-korea"]
    assert [m.actor for m in ACTORS.find("Estonia and Latvia agreed.")] == ["estonia", "latvia"]


def test_the_state_after_a_city_is_where_it_happens():
    [(code, _, _, _, roles, _)] = proposed(
        "Prime Minister Ana Brnabic will meet Latvian officials in Tashkent, Uzbekistan, on 4 October."
    )
    assert code == "meeting"
    assert ("uzbekistan", "host") in roles


def test_a_ministrys_own_release_speaks_in_its_voice():
    publisher = "Council of the European Union"
    [(code, _, start, _, roles, claimed_by)] = proposed(
        "The Council today renewed its restrictive measures against Belarus for a further 12 months.",
        published="2024-02-28",
        publisher=publisher,
    )
    assert (code, start) == ("sanctions.imposed", "2024-02-28")
    assert ("european-union", "initiator") in roles and ("belarus", "target") in roles
    assert claimed_by == "council-of-the-european-union"
    [(code, _, _, _, roles, claimed_by)] = proposed(
        "Today I have lifted the sanctions on Belarus.", publisher="U.S. Department of State"
    )
    assert (code, claimed_by) == ("sanctions.lifted", "united-states-foreign-ministry")
    assert roles == [("united-states", "initiator"), ("belarus", "target")]
    # The press has no voice of its own: nobody acts.
    assert proposed("Today I have lifted the sanctions on Belarus.", publisher="Daily Courier") == []


def test_a_signed_decree_is_the_act_it_decrees_not_an_agreement():
    [(code, _, start, precision, roles, _)] = proposed(
        "In March 2019, Belarusian President Alexander Lukashenko signed a decree on the resumption of air "
        "traffic to Riga.",
        published="2019-05-02",
    )
    assert (code, start, precision) == ("flights.resumed", "2019-03-01", "month")
    assert ("belarus", "initiator") in roles and ("latvia", "target") in roles


def test_flights_that_were_cancelled_are_a_ban_that_occurred():
    [(code, status, start, *_)] = proposed("Minsk-Riga direct flights were cancelled in 2012.")
    assert (code, status, start) == ("flights.ban", "occurred", "2012-01-01")
    [(code, *_)] = proposed("Air traffic with Latvia was suspended by Belarus in May 2021.")
    assert code == "flights.ban"


def test_an_act_set_for_a_day_ahead_is_scheduled():
    [(code, status, start, _, roles, _)] = proposed(
        "Belarus will lift restrictions on flights to Latvian airports from November 9, 2023.",
        published="2023-10-14",
    )
    assert (code, status, start) == ("flights.resumed", "scheduled", "2023-11-09")
    assert roles == [("belarus", "initiator"), ("latvia", "target")]
    # Without a day of its own, the announced act is the event.
    [(_, status, start, *_)] = proposed("Belarus will expel two Latvian diplomats.", published="2023-10-14")
    assert (status, start) == ("occurred", "2023-10-14")


def test_coordinated_clauses_tell_of_an_event_each():
    found = proposed(
        "Minsk-Riga direct flights were cancelled in 2006, then restored in 2012 and again abolished in 2021.",
        published="2023-01-08",
    )
    assert [(code, start) for code, _, start, *_ in found] == [
        ("flights.ban", "2006-01-01"),
        ("flights.resumed", "2012-01-01"),
        ("flights.ban", "2021-01-01"),
    ]
    found = proposed("Germany expels 40 Latvian diplomats; France expels about 30 Latvian diplomats.")
    assert [roles for *_, roles, _ in found] == [
        [("germany", "initiator"), ("latvia", "target")],
        [("france", "initiator"), ("latvia", "target")],
    ]
    # One event, two verbs: no clause of its own.
    [(code, *_)] = proposed("Germany expelled 40 Latvian diplomats on Monday and ordered them to leave within a week.")
    assert code == "diplomats.expelled"


def test_a_ban_and_a_resumption_of_the_same_flights_are_not_merged():
    found = proposed("Belarus suspended flights to Latvia in 2021.\n\nBelarus resumed flights to Latvia in 2021.")
    assert sorted(code for code, *_ in found) == ["flights.ban", "flights.resumed"]


def test_the_ledes_news_does_not_swallow_an_event_of_another_year():
    found = proposed(
        "Belarus and Latvia have resumed direct flights.\n\nBelarus resumed flights to Latvia in 2019.",
        published="2023-09-14",
    )
    assert sorted(start for _, _, start, *_ in found) == ["2019-01-01", "2023-09-14"]
    # Dated later in the article, the lede's event is one event.
    [(_, _, start, *_)] = proposed(
        "Belarus has expelled two Latvian diplomats.\n\nBelarus expelled the Latvian diplomats on Tuesday.",
        published="2023-09-14",
    )
    assert start == "2023-09-12"


def test_states_acting_together_on_nobody_else_take_part():
    [(_, _, _, _, roles, _)] = proposed("Belarus and Latvia have resumed direct flights.")
    assert roles == [("belarus", "participant"), ("latvia", "participant")]
    [(_, _, _, _, roles, _)] = proposed("Belarus and Moldova have expelled Latvian diplomats.")
    assert roles == [("belarus", "initiator"), ("moldova", "initiator"), ("latvia", "target")]


def test_a_full_stop_without_a_space_still_ends_a_sentence():
    assert split_sentences("It broke the Convention of 1961.MAE reiterates its protest. The U.S. Embassy said.") == [
        "It broke the Convention of 1961.",
        "MAE reiterates its protest.",
        "The U.S. Embassy said.",
    ]


def test_could_hit_with_sanctions_is_a_threat():
    [(code, status, *_)] = proposed("The US could hit Belarusian officials with sanctions.")
    assert (code, status) == ("sanctions.imposed", "proposed")


def test_an_embassy_reopened_in_a_capital_is_its_owners_act():
    [(code, _, _, _, roles, _)] = proposed("Meanwhile, the embassy of Latvia in Minsk also reopened on Sunday.")
    assert (code, roles) == ("missions.reopened", [("latvia", "initiator"), ("belarus", "host")])


def test_a_reply_to_a_question_is_no_event():
    assert proposed("Asked whether the US would sanction Belarusian officials, the spokesperson declined.") == []


def test_an_act_needs_someone_doing_it_not_only_whom_it_is_against():
    extraction = propose(
        "Title of the article\n\nNew sanctions against Belarus and Latvia were discussed in 2021.",
        published="2023-09-14",
        actors=ACTORS,
        types=TYPES,
    )
    assert extraction.proposals == []
    assert [s.reason for s in extraction.skipped] == ["no one is named as doing it"]


def test_a_passive_verb_may_stand_far_after_its_subject_and_between_names_both_sides():
    [(code, _, start, precision, roles, _)] = proposed(
        "Air traffic between Belarus and Latvia was completely interrupted in May 2021 after the incident.",
        published="2023-09-14",
    )
    assert (code, start, precision) == ("flights.ban", "2021-05-01", "month")
    assert roles == [("belarus", "participant"), ("latvia", "participant")]


def test_the_announcement_came_on_a_day_dates_the_event_before_it():
    extraction = propose(
        "Belarus orders Latvia to close its consulate in Vitebsk\n\n"
        "Belarus has ordered Latvia to close its consulate in Vitebsk.\n\n"
        "The announcement came on August 31 in a statement by the Belarusian Foreign Ministry.",
        published="2023-09-01",
        actors=ACTORS,
        types=TYPES,
    )
    [proposal] = extraction.proposals
    assert (proposal.type, proposal.date.start.isoformat()) == ("missions.closed", "2023-08-31")
    assert proposal.participants == [("belarus", "initiator"), ("latvia", "target")]
    assert [s.reason for s in extraction.skipped] == ["dates the event told of before it"]


def test_who_is_required_to_act_is_acted_on():
    found = proposed("“We are requiring the Latvian government to close its consulate in Boston.")
    assert found == []  # made to close it, by nobody the sentence names


def test_a_named_dialogue_is_talks_and_dialogue_in_the_abstract_is_not():
    [(code, status, start, _, roles, _)] = proposed(
        "Russia and the United States will hold the next round of their Strategic Stability Dialogue in Geneva "
        "on 30 September.",
        published="2021-09-27",
    )
    assert (code, status, start) == ("talks", "scheduled", "2021-09-30")
    abstract = proposed("Russia sees readiness from the United States to continue dialogue.", published="2021-09-27")
    assert "talks" not in [code for code, *_ in abstract]


def test_cut_flights_are_a_ban_and_resumed_aviation_links_a_resumption():
    [(code, _, start, _, roles, _)] = proposed("Russia cut passenger flights to Georgia in November 2006.")
    assert (code, start, roles) == ("flights.ban", "2006-11-01", [("russia", "initiator"), ("georgia", "target")])
    [(code, *_)] = proposed("Russia resumed civil aviation links with Georgia in March 2008.")
    assert code == "flights.resumed"


def test_a_relative_clause_tells_of_an_event_of_its_own():
    found = proposed(
        "Russia, which cut passenger flights to Georgia in November 2006, restored air links with Georgia in "
        "March 2008.",
        published="2008-03-18",
    )
    assert [(code, start) for code, _, start, *_ in found] == [
        ("flights.ban", "2006-11-01"),
        ("flights.resumed", "2008-03-01"),
    ]
    # Without an event of its own, the relative clause stays in its sentence.
    [(code, _, start, *_)] = proposed(
        "Russia, which borders Georgia, restored air links with Georgia in March 2008.", published="2008-03-18"
    )
    assert (code, start) == ("flights.resumed", "2008-03-01")


def test_a_reported_would_is_an_act_to_come_dated_by_its_own_day_not_the_saying():
    [(code, status, start, _, roles, claimed_by)] = proposed(
        "Russia said on Tuesday it would resume civil aviation links with Georgia from March 25.",
        published="2008-03-18",
    )
    assert (code, status, start, claimed_by) == ("flights.resumed", "scheduled", "2008-03-25", "russia")
    # A "would" that is not reported speech stays a condition: the sentence is the speaker's opinion.
    [(code, *_)] = proposed("Resuming flights with Georgia would be a mistake, Russia said.", published="2008-03-18")
    assert code == "statement"


def test_a_remark_said_in_a_statement_is_not_a_formal_statement():
    lede = "Germany expelled 40 Russian diplomats on Monday."
    remark = "The photos show great brutality, the German Foreign Ministry said in a statement."
    assert [code for code, *_ in proposed(f"{lede} {remark}", published="2022-04-04")] == ["diplomats.expelled"]
    # A warning is the news, whatever carries it.
    warning = "The German Foreign Ministry warned Russia in a statement that more measures would follow."
    assert [code for code, *_ in proposed(f"{lede} {warning}", published="2022-04-04")] == [
        "diplomats.expelled",
        "statement",
    ]


def test_whose_officer_or_airliners_are_acted_on():
    [(_, _, _, _, roles, _)] = proposed(
        "A Russian military intelligence officer will be expelled from the UK, the home secretary has announced.",
        published="2024-05-08",
    )
    assert roles == [("united-kingdom", "initiator"), ("russia", "target")]
    [(code, _, _, _, roles, _)] = proposed(
        "Latvia has closed its airspace to Russian airliners.", published="2022-02-26"
    )
    assert (code, roles) == ("flights.ban", [("latvia", "initiator"), ("russia", "target")])


def test_due_to_opens_a_clause_about_an_earlier_event_but_is_due_to_is_a_schedule():
    # The sanctions are why the consulate closed: they give no proposal of their own.
    assert proposed("In 2017, the Estonian consulate was closed due to anti-Latvian sanctions.") == []
    [(code, status, start, *_)] = proposed(
        "Latvia and Estonia are due to meet in Riga on 4 October.", published="2021-09-27"
    )
    assert (code, status, start) == ("meeting", "scheduled", "2021-10-04")


def test_willing_ready_or_agreed_in_principle_is_an_intention_dated_when_stated():
    found = proposed(
        "Latvia has agreed in principle to return diplomatic property to Estonia, its minister said.",
        published="2007-06-14",
        title="Latvia willing to return Estonia's diplomatic property",
    )
    assert {(code, status, start) for code, status, start, *_ in found} == {
        ("property.return", "proposed", "2007-06-14")
    }


def test_a_roadmap_on_a_return_is_a_proposal_not_the_return():
    [(code, status, _, _, roles, _)] = proposed(
        "Riga has given to Tallinn the roadmap on return of the confiscated Estonian diplomatic property.",
        published="2025-06-11",
    )
    assert (code, status, roles) == ("proposal", "occurred", [("latvia", "initiator"), ("estonia", "target")])


def test_days_to_leave_a_country_is_an_expulsion_by_that_country():
    # Worded as the corpus's "They have just one week to leave the country".
    [(code, _, _, _, roles, _)] = proposed(
        "Two Russian diplomats have one week to leave Latvia, the ministry said.", published="2025-04-23"
    )
    assert (code, roles) == ("diplomats.expelled", [("latvia", "initiator"), ("russia", "target")])


def test_a_negated_act_is_not_proposed():
    # As in the corpus's "Subsequent US envoys for Syria operated from abroad and did not visit Damascus."
    assert proposed("Later Latvian envoys for Estonia worked from abroad and did not visit Tallinn.") == []
    assert proposed("Latvia refused to return the Russian diplomatic property.") == []
    # "did not take place" is a cancellation, not a negated trigger.
    [(code, status, *_)] = proposed("The planned talks between Russia and Latvia did not take place.")
    assert (code, status) == ("talks", "cancelled")


def test_an_act_agreed_to_is_still_to_come():
    [(code, status, start, *_)] = proposed(
        "Latvia and Estonia have agreed to reopen embassies within two months.", published="2023-03-11"
    )
    assert (code, status) == ("missions.reopened", "scheduled")
    # An agreement agreed to is the agreement itself.
    [(code, status, *_)] = proposed("Latvia and Estonia agreed to sign a treaty.", published="2023-03-11")
    assert (code, status) == ("agreement", "occurred")


def test_the_day_an_act_to_come_was_reported_is_read_as_past():
    # Published on Saturday 11 March 2023: "on Friday" is the day before, not the next Friday.
    [(code, status, start, *_)] = proposed(
        "Latvia and Estonia have agreed to reopen embassies, the agency reported on Friday.", published="2023-03-11"
    )
    assert (code, status, start) == ("missions.reopened", "scheduled", "2023-03-10")


def test_a_lifting_verb_governs_sanctions_named_words_later():
    # "lifted a handful of Iran-related sanctions": the sanctions are lifted, not imposed, and Iran's.
    [(code, _, start, _, roles, _)] = proposed(
        "The Biden administration lifted a handful of Iran-related sanctions Thursday.", published="2021-06-10"
    )
    assert (code, start) == ("sanctions.lifted", "2021-06-10")
    assert ("united-states", "initiator") in roles and ("iran", "target") in roles


def test_whom_an_act_is_told_or_notified_to_is_acted_on():
    # "told X to suspend its missions", "notified X of its decision to expel": X is the target; and an adverb
    # such as "officially" names no officials whose state would be acted on.
    [(code, _, _, _, roles, _)] = proposed(
        "The United States has officially told the Syrian government to immediately suspend its diplomatic and "
        "consular missions in the country."
    )
    assert code == "missions.closed"
    assert roles == [("united-states", "initiator"), ("syria-government", "target")]
    [(code, _, _, _, roles, _)] = proposed(
        "Russia has also notified Finland of its decision to expel one diplomat from the Finnish embassy in Moscow."
    )
    assert code == "diplomats.expelled"
    assert roles == [("russia", "initiator"), ("finland", "target")]


def test_relations_restored_or_established_are_an_agreement():
    [(code, status, start, precision, roles, _)] = proposed(
        "Syria and Saudi Arabia restored diplomatic relations last year.", published="2024-07-10"
    )
    assert (code, status, start, precision) == ("agreement", "occurred", "2023-01-01", "year")
    assert sorted(roles) == [("saudi-arabia", "participant"), ("syria", "participant")]
    [(code, _, start, *_)] = proposed(
        "Micronesia and Uruguay established diplomatic relations on Thursday.", published="2013-09-06"
    )
    assert (code, start) == ("agreement", "2013-09-05")


def test_adjectives_of_kind_may_stand_between_a_states_adjective_and_its_noun():
    # "all Moroccan civil and military aircraft": Morocco's aircraft, so Morocco is the ban's target.
    [(code, _, start, _, roles, _)] = proposed(
        "Algeria decided on Wednesday to close its airspace to all Moroccan civil and military aircraft.",
        published="2021-09-23",
    )
    assert (code, start, roles) == ("flights.ban", "2021-09-22", [("algeria", "initiator"), ("morocco", "target")])


def test_an_adverb_may_stand_between_the_speaker_and_the_verb_of_saying():
    [(code, status, *_, claimed_by)] = proposed(
        "Lavrov officially confirmed on Tuesday that talks with Iran had been postponed.", published="2006-07-05"
    )
    assert (code, status, claimed_by) == ("talks", "postponed", "sergey-lavrov")


def test_each_state_listed_after_an_owned_noun_is_acted_on():
    # "the ambassadors of Libya and Tunisia": both are Syria's targets; Tunisia does not expel.
    [(code, _, start, _, roles, _)] = proposed(
        "Syria said Saturday that Damascus has given the ambassadors of Libya and Tunisia 72 hours to leave Syria.",
        published="2012-02-12",
    )
    assert (code, start) == ("diplomats.expelled", "2012-02-11")
    assert roles == [("syria", "initiator"), ("libya", "target"), ("tunisia", "target")]


def test_an_airline_resuming_its_services_is_its_state_resuming_flights():
    [(code, _, _, _, roles, _)] = proposed(
        "Syria's national airline resumed regular services to Saudi Arabia on Wednesday.", published="2024-07-10"
    )
    assert (code, roles) == ("flights.resumed", [("syria", "initiator"), ("saudi-arabia", "target")])


def test_after_a_duration_is_how_long_not_a_clause_about_an_earlier_event():
    # "after a 12-year suspension on Wednesday": Wednesday dates the resumption, not the suspension.
    [(code, _, start, precision, *_)] = proposed(
        "Syria's national airline resumed regular services to Saudi Arabia after a 12-year suspension on Wednesday.",
        published="2024-07-10",
    )
    assert (code, start, precision) == ("flights.resumed", "2024-07-10", "day")
    [(_, _, start, precision, *_)] = proposed(
        "Britain expelled Russian diplomats after the poisoning in March.", published="2024-07-10"
    )
    assert precision == "year"  # the poisoning's March is not the expulsion's
