"""Who the article attributes a sentence to (events/extraction/claims.py)."""

import pytest

from events.extraction import (
    find_claimant,
    propose,
)

from .helpers import gazetteer_actors, taxonomy_types


@pytest.mark.parametrize(
    "text, claimant",
    [
        ("A third round did not take place, with Moscow saying it was canceled by the US.", "russia"),
        ("In an interview on Saturday, Lavrov said there are many irritants.", "sergey-lavrov"),
        ("Undoing the damage will take time, Russian Foreign Minister Sergey Lavrov has said.", "sergey-lavrov"),
        ("According to Lavrov, discussions must not focus on missions.", "sergey-lavrov"),
        ("The talks will go on, said Lavrov.", "sergey-lavrov"),
        ("US has not elaborated on nuclear test plans – Lavrov", "sergey-lavrov"),
        ("Israel willing to return Russia's property - FM Lavrov", "sergey-lavrov"),
        ("Trump sees ‘good chance’ of meeting Putin in Hungary", "donald-trump"),
        ("Trump said Putin wants peace.", "donald-trump"),
        ("Last month, Trump imposed sanctions on Rosneft and Lukoil.", None),
        ("The Russian Foreign Ministry has declared two US diplomats persona non grata.", None),
    ],
)
def test_it_finds_who_the_article_attributes_a_claim_to(actors, text, claimant):
    claim = find_claimant(text, actors.find(text))
    assert (claim.actor if claim else None) == claimant


@pytest.mark.parametrize(
    "text, claimant",
    [
        ("МИД России заявил, что ответ последует.", "russian-foreign-ministry"),
        ("По словам Москвы, переговоры продолжатся.", "russia"),
        ("Переговоры продолжатся, сообщила Москва.", "russia"),
    ],
)
def test_it_finds_who_a_russian_sentence_is_attributed_to(actors, text, claimant):
    claim = find_claimant(text, actors.find(text, "ru"))
    assert claim.actor == claimant


def test_the_foreign_ministry_without_its_state_is_the_datelines():
    extraction = propose(
        "Title\n\nMOSCOW (Sputnik) - Russia declared two employees of the Embassy of the United States personae "
        "non gratae on Thursday, the Foreign Ministry said in a statement.",
        published="2023-09-14",
        actors=gazetteer_actors(),
        types=taxonomy_types(),
    )
    [proposal] = extraction.proposals
    assert (proposal.claimed_by, proposal.date.start.isoformat()) == ("russian-foreign-ministry", "2023-09-14")


@pytest.mark.parametrize(
    "text, claimant",
    [
        ("Russian Foreign Ministry: Moscow imposes sanctions against 18 Britons", "russian-foreign-ministry"),
        ("Lavrov: Russia will respond to the expulsion", "sergey-lavrov"),
        ("Georgia: talks with Russia resume", None),  # a state before the colon is the topic
        ("Talks resume, Lavrov: no", None),
    ],
)
def test_a_headline_names_its_speaker_before_a_colon(actors, text, claimant):
    claim = find_claimant(text, actors.find(text), actors)
    assert (claim.actor if claim else None) == claimant


def only_proposal(text, published):
    """The one proposal of an article of `text`, read with the gazetteer's actors and the taxonomy's types."""
    [proposal] = propose(text, published=published, actors=gazetteer_actors(), types=taxonomy_types()).proposals
    return proposal


def test_a_russian_speaker_is_found_past_the_source_that_reports_them_and_before_what_they_said():
    # "Об этом, как пишет РИА Новости, заявил X.": the agency reports, X said it (of the sentence before).
    proposal = only_proposal(
        "Заголовок\n\nРоссия намерена сократить число сотрудников дипмиссии США в России до 300 человек. "
        "Об этом, как пишет РИА Новости, заявил директор департамента Северной Америки МИД РФ Георгий Борисенко.",
        published="2017-10-11",
    )
    assert (proposal.type, proposal.claimed_by) == ("diplomats.staff_limits", "georgy-borisenko")
    # "Как сообщил <кому> <title> X, <what X said>": X claims the sentence and is no party to it.
    proposal = only_proposal(
        "Заголовок\n\nКак сообщил РИА Новости пресс-секретарь президента России Дмитрий Песков, встреча глав "
        "государств СНГ, намеченная на 16 октября, перенесена.",
        published="2020-10-12",
    )
    assert proposal.claimed_by == "dmitry-peskov"
    assert "dmitry-peskov" not in {actor for actor, _ in proposal.participants}
