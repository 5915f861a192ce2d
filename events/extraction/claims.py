"""Who the article attributes a sentence to."""

import re
from dataclasses import dataclass

from .actors import Mention

# Verbs of saying after a name. Not "declared" (a ministry declaring diplomats persona non grata acts, it does
# not report), nor "states", "notes", "reports", which are nouns as often.
_SPEECH = (
    r"(?:said|says|told|tells|added|adds|stressed|stresses|warned|warns|noted|stated|claimed|claims"
    r"|announced|announces|insisted|insists|argued|argues|explained|explains|confirmed|confirms|wrote|writes"
    r"|emphasi[sz]ed|emphasi[sz]es|reported)"
)
# Russian verbs of saying; not "объявил", which declares (a ministry declaring diplomats persona non grata acts).
_SPEECH_RU = (
    r"(?:заявил[аи]?|заявляет|сообщил[аи]?|сообщает|сказал[аи]?|говорит|отметил[аи]?|подчеркнул[аи]?"
    r"|добавил[аи]?|написал[аи]?|пояснил[аи]?|уточнил[аи]?|рассказал[аи]?|указал[аи]?|констатировал[аи]?"
    r"|заверил[аи]?|предупредил[аи]?|считает|полагает|поделил(?:ся|ась|ись))"
)
_SPEECH = _SPEECH[:-1] + "|" + _SPEECH_RU[3:]
# ", как пишет РИА Новости,", ", как передает ТАСС,": who reports the words, not who says them.
_AS_REPORTED = r",\s*как\s+(?:пишет|пишут|передает|передаёт|передают|сообщает|сообщают)\s+[^,.!?]{1,60},"
# "Как сообщил РИА Новости пресс-секретарь президента Дмитрий Песков, встреча ... перенесена.": the speaker, named
# after a verb of saying that opens the sentence, and a comma; what they said follows.
_RU_AS_SAID = re.compile(rf"^\s*Как\s+{_SPEECH_RU}(?![а-яё])[^,.!?;«»\"]{{0,160}}$", re.I)
# A Russian verb of saying after a comma or dash, then the speaker's title and name at the end of the sentence
# (", сообщается на сайте МИДа" too); "говорится в сообщении (на сайте) X"; "Об этом заявил X".
_RU_TRAILING = re.compile(
    rf"(?:(?:[,—–]|\s-)\s*(?:[—–-]\s*)?(?:{_SPEECH_RU}|сообщается|отмечается)"
    r"|\bговорится\s+в\s+(?:сообщени|заявлени|документ|коммента)\w*"
    # "Об этом заявил в интервью ТАСС замглавы МИД Михаил Богданов.": the sentence only names the speaker, with
    # the source that reports it set off by commas ("Об этом, как пишет РИА Новости, заявил ...").
    rf"|^\s*(?:Об\s+этом|Как)(?:\s*{_AS_REPORTED})?\s+(?:[а-яё]+\s+){{0,2}}?{_SPEECH_RU})"
    r"[\s,]+[^.!?;«»\"]{0,160}$",
    re.I,
)
_RU_NOUN_PHRASE_END = re.compile(r"(?:\s+[а-яё-]+){0,3}\s*(?:[.;!?]|$)", re.I)


def _closes(mention, after):
    """The mention ends the sentence; a Russian adjective with its noun ("в российском Министерстве иностранных
    дел.") too."""
    if re.match(r"\s*(?:[.;!?]|$)", after):
        return True
    return mention.text[:1].islower() and bool(_RU_NOUN_PHRASE_END.match(after))


# Before and after the speaker of a headline "<speaker>: <what they say>": the speaker starts the sentence, and
# at most a noun of theirs ("Ministry", "spokeswoman") stands before the colon.
_HEADLINE_SPEAKER = re.compile(r"\s*(?:the\s+)?", re.I)
_HEADLINE_COLON = re.compile(r"(?:\s+[A-Z][\w-]*){0,3}\s*:\s+\S")

# A Russian speaker, then up to four words ("на брифинге", "в интервью ТАСС"), then the verb of saying.
_RU_SPEAKER_THEN = re.compile(rf"(?P<words>(?:\s+(?:[а-яё-]+|[А-ЯЁ]{{2,}})){{1,4}}?)\s+{_SPEECH_RU}(?![а-яё])")

_BELIEF = r"(?:sees|saw|believes|believed|thinks|thought|expects|expected|hopes|hoped)"


@dataclass(frozen=True)
class Claim:
    actor: str
    mention: Mention
    phrase: str
    kind: str  # "speech" ("Lavrov said") or "belief" ("Trump sees"): a believer is also a party


def find_claimant(text, mentions, actors=None):
    """Who the sentence attributes its content to, or None when the article says it in its own voice.

    "with Moscow saying", "according to Lavrov", "Lavrov (has) said/told/warned", "..., said Lavrov",
    a headline's "... – Lavrov" or "Lavrov: ..." (a person or a body, not a state: "Syria: ..." is a topic,
    and only with `actors` to tell them apart); then belief, "Trump sees". Speech wins over belief, and the last
    attribution in the sentence over earlier ones.
    """
    speech, belief = [], []
    for mention in mentions:
        before, after = text[: mention.start], text[mention.end :]
        # "Lavrov said", "has also said", "officially confirmed": an adverb may stand before the verb.
        if match := re.match(rf"\s+(?:(?:has|have|had)\s+)?(?:also\s+|(?-i:[a-z]+ly)\s+)?{_SPEECH}\b", after, re.I):
            speech.append(Claim(mention.actor, mention, mention.text + match.group(), "speech"))
        elif (lead := re.search(r"\b(?:with|as)\s+(?:the\s+)?$", before, re.I)) and (
            match := re.match(r"\s+(?:saying|claiming|insisting|arguing|stating)\b", after, re.I)
        ):
            speech.append(Claim(mention.actor, mention, lead.group() + mention.text + match.group(), "speech"))
        elif lead := re.search(r"\b(?:according to\s+(?:the\s+)?|по словам\s+|по данным\s+)$", before, re.I):
            speech.append(Claim(mention.actor, mention, lead.group() + mention.text, "speech"))
        elif (lead := re.search(rf"\b{_SPEECH}\s+(?:the\s+|[вВ]о?\s+)?$", before, re.I)) and (
            re.match(r"\s*(?:[,.;:!?]|$)", after) or _closes(mention, after)
        ):
            # "..., said Lavrov." but not "Trump said Putin wants peace".
            speech.append(Claim(mention.actor, mention, lead.group() + mention.text, "speech"))
        elif (lead := _RU_AS_SAID.match(before)) and re.match(r"\s*,", after):
            speech.append(Claim(mention.actor, mention, lead.group() + mention.text, "speech"))
        elif (lead := _RU_TRAILING.search(before)) and _closes(mention, after):
            # "..., заявила представитель МИД РФ Мария Захарова.", "говорится в сообщении на сайте МИД.": the
            # speaker closes the sentence, after a title.
            speech.append(Claim(mention.actor, mention, lead.group() + mention.text, "speech"))
        elif re.search(r"\s[–—-]\s*(?:[A-Z][\w.]*\s+){0,2}$", before) and not re.search(r"\w", after):
            # "... – Lavrov", "... - FM Lavrov": a headline's speaker, a title before the name.
            speech.append(Claim(mention.actor, mention, "– " + mention.text, "speech"))
        elif (
            (lead := _HEADLINE_SPEAKER.fullmatch(before))
            and _HEADLINE_COLON.match(after)
            and actors is not None
            and getattr(actors.get(mention.actor), "kind", "state") != "state"
        ):
            # A headline's "Russian Foreign Ministry: Moscow imposes ...", "Lavrov: ...": the speaker, then what
            # they say.
            speech.append(Claim(mention.actor, mention, lead.group() + mention.text + ":", "speech"))
        elif (
            (match := _RU_SPEAKER_THEN.match(after))
            and "и" not in match["words"].lower().split()
            and actors is not None
            and getattr(actors.get(mention.actor), "kind", "state") != "state"
        ):
            # "Лавров на пресс-конференции заявил", "Захарова в интервью ТАСС сообщила": a few words between.
            speech.append(Claim(mention.actor, mention, mention.text + match.group(), "speech"))
        elif match := re.match(rf"\s+{_BELIEF}\b", after, re.I):
            belief.append(Claim(mention.actor, mention, mention.text + match.group(), "belief"))
    found = speech or belief
    return found[-1] if found else None


# A Russian speaker named again by a pronoun or a noun of their office: "..., — добавила представитель
# внешнеполитического ведомства", "..., — сказал журналистам высокопоставленный дипломат", "Как отметил
# дипломат, ...", "По его словам, ...".
_RU_SPEAKER_NOUN = (
    r"(?:(?:(?:высокопоставленн|российск|американск|бывш)\w+\s+)?"
    r"(?:дипломат|министр|замминистра|замглавы|посол|пресс-секретарь|спикер|глава\s+(?:МИД|ведомства)"
    r"|представитель\s+(?:МИД|внешнеполитического\s+ведомства|ведомства)|он|она)(?![а-яё]))"
)
_RU_ANAPHORIC = re.compile(
    rf"(?:[,—–]|\s-)\s*(?:[—–-]\s*)?{_SPEECH_RU}(?:\s+(?:журналистам|в\s+интервью|[А-ЯЁ]{{2,}}))*\s+(?P<who>{_RU_SPEAKER_NOUN})"
    r"(?:\s+(?-i:[а-яё]+)){0,3}\s*[.!?]?\s*$"
    rf"|^\s*Как\s+{_SPEECH_RU}\s+(?P<as>{_RU_SPEAKER_NOUN})\s*,"
    r"|^\s*По\s+(?P<his>(?:его|её|ее))\s+словам\s*,",
    re.I,
)


# The ministry named by its lower-case noun: "сообщили в ведомстве", "говорится в сообщении дипведомства",
# "заявили во внешнеполитическом ведомстве".
_RU_MINISTRY_SAID = re.compile(
    rf"(?:[,—–]|\s-)\s*(?:[—–-]\s*)?(?:{_SPEECH_RU[3:-1]}|сообщили|заявили|отметили|подчеркнули|пояснили|уточнили"
    r"|говорится\s+в\s+(?:сообщени|заявлени|коммента)\w*)\s+(?:(?:в|во)\s+)?"
    r"(?P<who>(?:(?:российск|внешнеполитическ|дипломатическ)\w+\s+)*(?:дип)?ведомств\w*)\s*[.!?]?\s*$",
    re.I,
)


def anaphoric_claim(text, speaker, ministry=None):
    """The claim of a Russian sentence whose speaker is named again only by a pronoun or an office
    ("— сказал дипломат", "По его словам"): the article's last speaker, `speaker` (an actor id), or None; one
    said "в ведомстве" is the article's own foreign ministry, `ministry`."""
    said = _RU_MINISTRY_SAID.search(text) if ministry else None
    if said:
        return Claim(ministry, Mention(ministry, said.start("who"), said.end("who"), said["who"]), said[0], "speech")
    match = _RU_ANAPHORIC.search(text) if speaker else None
    if match is None:
        return None
    group = next(name for name in ("who", "as", "his") if match[name] is not None)
    return Claim(speaker, Mention(speaker, match.start(group), match.end(group), match[group]), match[0], "speech")
