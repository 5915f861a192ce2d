"""Readings only Russian articles need: tellings of one act as announced and as planned, a plan's aim, an
offer, a conditional, the talks an act was done at, a passive that leaves its doer unsaid."""

import re
from dataclasses import replace

from .naming import _same_event
from .structure import _ordered

_UNDATED = frozenset({"lede", "publication", "announced", "reported"})


def hedged(proposals, actors):
    """An announced act that another sentence of the article calls only planned is the planned one: "Россия
    скоро откроет посольства" in the headline and "Россия планирует открыть посольства" in the lede are one
    event, `proposed`, told and claimed as the planning sentence tells it. Only undated tellings: an act the
    article dates is its own."""
    kept = []
    for proposal in proposals:
        planned = None
        if proposal.status == "occurred" and proposal.date.how in _UNDATED and proposal.type != "statement":
            as_planned = replace(proposal, status="proposed")
            planned = next(
                (p for p in proposals if p.status == "proposed" and p.date.how in _UNDATED
                 and _same_event(p, as_planned, actors)),
                None,
            )  # fmt: skip
        if planned is None:
            kept.append(proposal)
            continue
        planned.also += 1 + proposal.also
        known = set(planned.actors())
        planned.participants = _ordered(
            planned.participants + [(x, role) for x, role in proposal.participants if x not in known]
        )
        if planned.claimed_by is None:
            planned.claimed_by, planned.notes = proposal.claimed_by, [*planned.notes, *proposal.notes]
    return kept


# "в ходе раунда двусторонних консультаций", "в ходе встречи": the talks or meeting an act was done at.
_DURING_RU = re.compile(
    r"(?<![а-яё])в\s+ходе\s+(?:[а-яё-]+\s+){0,3}?(?:(?P<talks>переговор|консультаци)|(?P<meeting>встреч|визит))",
    re.I,
)


_FRAMES = frozenset({"talks", "meeting", "statement"})


def frame(sentence, found, types):
    """The talks or meeting a dated Russian sentence says its act was done at ("10 апреля Россия и США
    условились ... в ходе раунда консультаций в Стамбуле"): a proposal of its own, with the same sides, day
    and place. Undated ("Ранее в ходе переговоров ..."), the frame is only background."""
    match = _DURING_RU.search(sentence)
    code = ("talks" if match["talks"] else "meeting") if match else None
    framed = [p for p in found if p.date.how == "text" and p.type.split(".")[0] not in _FRAMES]
    if not framed or code not in types.names:
        return []
    act = framed[0]
    sides = list(dict.fromkeys(actor for actor, role in act.participants if role != "host"))
    hosts = [(actor, "host") for actor, role in act.participants if role == "host"]
    participants = _ordered([(actor, "participant") for actor in sides] + hosts)
    return [replace(act, type=code, status="occurred", participants=participants, notes=[], also=0)]


# "возобновление рейсов способствовало бы нормализации": what would follow is no event.
CONDITIONAL_RU = re.compile(r"(?<![а-яё])бы(?![а-яё])", re.I)

# "документы для восстановления авиасообщения", "дорожная карта по возвращению", "работают над
# восстановлением": the plan or the work is the news, the restoration only its aim.
PLANNED_RU = re.compile(
    r"(?<![а-яё])(?:(?:документ\w*|дорожн\w+\s+карт\w*|план(?:а|у|ом|е|ы|ов|ами|ах)?|предложени\w*|инициатив\w*"
    r"|проект\w*|работ\w*\s+над)\s+(?:по\s+|для\s+|о\s+|об\s+)?(?:\w+\s+)?)"
    r"(?P<act>(?:восстановлени|возобновлени|возвращени|возврат|сняти|смягчени|ослаблени|открыти)\w*[^,;:—–]*)",
    re.I,
)

OFFERED_RU = re.compile(
    r"(?<![а-яё])(?:предлага(?:ет|ем|ют|л[аи]?)|предложил[аи]?)\s+(?:[а-яё]+\s+){0,2}?"
    r"(?P<act>[а-яё]+(?:ть|ти)(?:ся)?\s[^,;:—–]*)",
    re.I,
)
MEETING_RU = re.compile(r"встреч|переговор|саммит|визит|консультаци", re.I)


def passive_ru(sentence):
    """Whether a Russian sentence has a short passive participle ("были продлены", "введены", "высланы"): an
    act whose doer it leaves unsaid."""
    from .morphology import _russian  # the analyser, loaded once

    return any(_russian().parse(word)[0].tag.POS == "PRTS" for word in re.findall(r"[а-яё]+", sentence.lower()))
