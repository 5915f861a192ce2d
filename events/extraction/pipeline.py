"""Proposals from an article: every sentence through the rules."""

import re
from dataclasses import dataclass, field, replace

from .. import dates
from .actors import ActorIndex
from .claims import anaphoric_claim, find_claimant
from .clauses import coordinated
from .collective import last_pair, with_collectives
from .dating import DateGuess, coarser, find_dates
from .event_types import TypeGuess, TypeIndex
from .language import detect
from .modality import _ANAPHORA, _OPINION, REPORTED_FUTURE, THREAT, detect_status, tense
from .morphology import tokens
from .naming import _merge, _name
from .people import find_people
from .reading import Article, Paragraph, read_article
from .russian import CONDITIONAL_RU, MEETING_RU, OFFERED_RU, PLANNED_RU, frame, hedged, passive_ru
from .sentences import split_sentences
from .speakers import is_ministry, is_person, with_speakers
from .structure import (
    _CAUSE,
    STATE_ACT_FAMILIES,
    SYMMETRIC_FAMILIES,
    _actors_of,
    _cause_date,
    _claim_note,
    _inside,
    _ordered,
    _roles,
    cause_spans,
)


@dataclass
class Proposal:
    """A draft event proposed from one sentence (or several that say the same)."""

    type: str
    status: str
    date: DateGuess
    participants: list  # [(actor id, role)]
    location: dict | None
    quote: str
    claimed_by: str | None
    linked: bool = False
    notes: list = field(default_factory=list)
    also: int = 0  # other sentences merged into this one
    passing: bool = False  # a statement quoted in passing: dropped unless a sentence it merges with is not
    id: str = ""
    title: str = ""
    summary: str = ""

    def actors(self, *roles):
        return [actor for actor, role in self.participants if not roles or role in roles]


@dataclass(frozen=True)
class Skipped:
    quote: str
    reason: str


@dataclass
class Extraction:
    """What `propose` found: the article as read, the proposals, and the sentences it left out and why."""

    article: Article
    proposals: list
    skipped: list
    people: list = field(default_factory=list)  # KnownActor: people named with a title, new to Chancery


def propose(content, *, url=None, published=None, publisher=None, actors=None, types=None):
    """Draft events proposed from an article (HTML or plain text).

    `actors` and `types` default to the database's (one query each); pass an ActorIndex and a TypeIndex to
    reuse them over many articles. Raises ExtractionError, with the reason, for input that is not an article.
    """
    article = read_article(content, url=url, published=published, publisher=publisher)
    article = replace(article, language=detect(f"{article.title}\n{article.text}"))
    actors = actors if actors is not None else ActorIndex.load()
    types = types if types is not None else TypeIndex.load()
    found_people = find_people(f"{article.title}\n{article.text}", article.language, actors)
    people = [p.actor for p in found_people]
    titles = {p.actor.id: p.title for p in found_people}
    # A ministry's or a body's own release speaks in its voice: "The Council today renewed", "I have issued".
    voice = _publisher_voice(article.publisher, actors)
    people += [voice] if voice else []
    actors = actors.with_people(people)
    # "The Foreign Ministry said" speaks for the dateline's state ("MOSCOW (Sputnik) -"), else the one named most.
    home = actors.home_state(article.place) if article.place else None
    actors = actors.with_home(home or actors.home_state(f"{article.title}\n{article.text}", article.language))
    proposals, skipped, lede_seen, pair, named, speaker = [], [], False, (), [], None
    # The headline is news of the day as the lede is; its proposals merge with the body's that say the same.
    headline = [Paragraph(article.title, headline=True)] if _is_headline(article.title) else []
    for paragraph in [*headline, *article.paragraphs]:
        carried, previous = None, []
        for sentence in split_sentences(paragraph.text):
            pair_before, pair = pair, last_pair(actors.find(sentence, article.language), actors, pair)
            named_before = list(named)
            named += [
                m.actor
                for m in actors.find(sentence, article.language)
                if is_person(m.actor, actors) or is_ministry(m.actor, actors)
            ]
            # "headline": undated, it is the day's news whatever its tense ("Russia Declares ...").
            lede = "headline" if paragraph.headline else not paragraph.linked and not lede_seen
            lede_seen = lede_seen or not (paragraph.linked or paragraph.headline)
            if _redated(sentence, proposals, article):
                skipped.append(Skipped(sentence, "dates the event told of before it"))
                continue
            in_sentence = []
            if article.language == "ru":
                # The article's last speaker, whom "— сказал дипломат", "По его словам" name again.
                said = find_claimant(sentence, actors.find(sentence, "ru"), actors)
                speaker = said.actor if said and actors.get(said.actor).kind == "person" else speaker
            for clause in coordinated(sentence, types, article.language):
                found, reason, dated = _propose_sentence(
                    clause,
                    article,
                    actors,
                    types,
                    lede,
                    carried,
                    paragraph.linked,
                    voice.id if voice else None,
                    pair=pair_before,
                    speakers=(named_before, titles),
                    speaker=speaker,
                    before=[p for p in [*proposals, *in_sentence] if p.type != "statement"],
                )
                for proposal in found:
                    proposal.quote = sentence[:5000]
                in_sentence += found
                if reason:
                    skipped.append(Skipped(sentence, reason))
                carried = dated or carried
            if article.language == "ru":
                in_sentence += _background(sentence, article, actors, types, paragraph.linked)
                in_sentence += frame(sentence, in_sentence, types)
            if previous and article.language == "ru" and _BACK_CLAIM.match(sentence):
                # Only an attribution of what came before: no statement of its own.
                in_sentence = [p for p in in_sentence if p.type != "statement"]
                _claim_back(previous, sentence, actors)
            previous = in_sentence
            proposals += in_sentence
    if article.language == "ru":
        proposals = hedged(proposals, actors)
    proposals = _merge(proposals, actors)
    skipped += [Skipped(p.quote, "a remark quoted in passing, not a statement the article reports") for p in proposals
                if p.passing]  # fmt: skip
    proposals = [p for p in proposals if not p.passing]
    _name(proposals, actors, types, article)
    return Extraction(article, proposals, skipped, people)


def _background(sentence, article, actors, types, linked):
    """The earlier events a Russian sentence recounts with a day or month of their own, in a clause it answers
    or follows ("ответом на принятое 7 апреля черногорской стороной решение объявить персонами нон грата ряд
    дипломатов посольства России"): each a proposal of its own, in the article's voice."""
    found = []
    for start, end in cause_spans(sentence):
        clause = sentence[_CAUSE.match(sentence, start).end() : end].strip()
        dated = find_dates(clause, article.published, language="ru")
        if not any(d.how == "text" and d.precision in {dates.DAY, dates.MONTH} for _, _, d in dated):
            continue
        proposals, _, _ = _propose_sentence(clause, article, actors, types, False, None, linked)
        for proposal in proposals:
            if proposal.date.how == "text" and proposal.type != "statement":
                proposal.quote, proposal.claimed_by, proposal.notes = sentence[:5000], None, []
                found.append(proposal)
    return found


# "Об этом сообщили в МИД России.": the sentence before is the ministry's.
_BACK_CLAIM = re.compile(
    r"(?:Об этом|Как)(?:\s*,\s*как\s+\w+\s+[^,.!?]{1,60},)?\s+(?:\w+\s+){0,3}?"
    r"(?:сообщ|заяв|говорит|написал|рассказал|пишет|передает)",
    re.I,
)


def _claim_back(previous, sentence, actors):
    """Attribute the previous sentence's proposals to whom "Об этом сообщил X" names, when they have no claimant."""
    claim = find_claimant(sentence, actors.find(sentence, "ru"))
    for proposal in previous if claim else ():
        if proposal.claimed_by is None:
            proposal.claimed_by = claim.actor
            proposal.notes = [*proposal.notes, *_claim_note(claim, actors)]


# "The announcement came on August 31": the day of the event the article told of before, not an event.
_ANNOUNCEMENT = re.compile(
    r"\s*The\s+(?:announcement|decision|order|move)\s+(?:came|was\s+(?:made|announced|issued|taken))\b", re.I
)


def _redated(sentence, proposals, article):
    """Whether the sentence only dates the article's last undated event ("The announcement came on August 31"),
    which then takes that date."""
    if article.language != "en" or not _ANNOUNCEMENT.match(sentence):
        return False
    found = find_dates(sentence, article.published, language="en")
    undated = [p for p in proposals if p.date.how in {"lede", "publication", "announced"} and not p.linked]
    if not found or not undated:
        return False
    undated[-1].date = found[0][2]
    return True


def _is_headline(title):
    """A headline worth reading: words, not a site's name, and not cut from the lede (then the body has it)."""
    return len(title.split()) >= 4 and not title.endswith("…")


_BODY_NOUNS = ("Council", "Commission", "Department", "Ministry", "Office", "Secretariat")


def _publisher_voice(publisher, actors):
    """The ministry, government or body that publishes the article itself (a release, a briefing), known by
    the head noun of its name too ("The Council", "the Department"); None for the press."""
    mentions = actors.find(publisher or "")
    voices = [actors.get(m.actor) for m in mentions if actors.get(m.actor).kind in {"government", "igo"}]
    if not voices:
        return None
    voice = voices[-1]
    heads = [word for word in voice.name.split() if word in _BODY_NOUNS][:1]
    # "the Council adopted" within a sentence as well as "The Council" opening one: a longer name that ends in
    # the same noun ("the Security Council") is still that body, the longest name winning.
    return replace(voice, aliases=(*voice.aliases, *(f"The {head}" for head in heads), *heads))


def _propose_sentence(
    sentence, article, actors, types, lede, carried, linked, voice=None, pair=(), speakers=None, speaker=None, before=()
):
    """([Proposal], reason skipped or None, the date the sentence gives for the next ones)."""
    language = article.language
    causes = cause_spans(sentence)
    # "the two countries", "обе стороны": the two states named last.
    mentions = with_collectives(sentence, actors.find(sentence, language), pair, actors, language)
    if language == "en" and speakers is not None:
        # "he said", "the ambassador added": the person named before.
        mentions = with_speakers(sentence, mentions, *speakers, actors)
    words = tokens(sentence, language)
    # "сообщили в ведомстве": the foreign ministry, in an article that names it ("МИД") somewhere.
    mid_named = language == "ru" and "МИД" in f"{article.title}\n{article.text}"
    ministry = next((m.actor for m in actors.find("МИД", "ru")), None) if mid_named else None
    claim = find_claimant(sentence, mentions, actors) or anaphoric_claim(sentence, speaker, ministry)
    # "Putin signed a decree on the resumption of flights": a decree is one state's act, not an agreement.
    unilateral = [(m.start(), m.start() + 1) for m in _SIGNED_ACT.finditer(sentence)]
    # "have discussed resuming direct flights": what was talked about did not happen.
    unilateral += [(m.start("act"), m.end()) for m in _DISCUSSED.finditer(sentence)]
    # "handed over a roadmap on the return of the property": the plan is the event, the return only its aim.
    unilateral += [(m.start("act"), m.end()) for plan in _PLANS for m in plan.finditer(sentence)]
    # "the Collective Security Treaty Organisation": a word of a body's name types no event.
    unilateral += [(m.start, m.end) for m in mentions if _is_body_name(m, actors)]
    unilateral += [m.span("name") for m in _ACRONYM_NAME.finditer(sentence)] if language == "en" else []
    # "made his decision in consultation with Pompeo": advice taken, not talks held.
    unilateral += [m.span() for m in _CONSULTED.finditer(sentence)] if language == "en" else []
    # "Мы предлагаем восстановить авиасообщение": the offer is the event, the act only offered.
    unilateral += [(m.start("act"), m.end()) for m in OFFERED_RU.finditer(sentence) if not MEETING_RU.search(m[0])]
    guess = types.guess(
        sentence, excluded=causes + unilateral, ignore={"statement"} if claim else (), words=words, language=language
    )
    # "said it would resume flights" reports an act to come; "would" alone is a condition or an opinion.
    opinion = _OPINION.search(REPORTED_FUTURE.sub(" ", sentence)) and not (guess and THREAT.search(sentence))
    if claim and (guess is None or opinion) and "statement" in types.names:
        guess = TypeGuess("statement", claim.mention.start, ())
    statement = guess is not None and guess.code == "statement"
    status = (
        "occurred" if statement or guess is None else detect_status(sentence, language) or guess.status or "occurred"
    )
    if language == "ru" and status == "proposed" and guess and guess.code == "proposal":
        status = "occurred"  # "Мы предлагаем восстановить ...": the offer is made; what it offers is to come
    if status == "cancelled" and any(_CANCELLING.search(keyword) for keyword in guess.keywords):
        status = "occurred"  # "flights were cancelled": the cancellation is the event (a ban), not called off
    if status == "occurred" and guess and guess.code.split(".")[0] not in {"agreement", "statement"}:
        if _AGREED_TO.search(sentence, 0, guess.anchor):
            status = "scheduled"  # "have agreed to reopen embassies within two months": agreed, still to come
    # What is still to come reads "on Saturday" as the next Saturday, what happened as the last.
    # A cancelled or postponed event was still to come: "cancels the planned 12 June summit".
    future = status in {"scheduled", "proposed", "postponed", "cancelled"} or (
        guess is not None and not statement and _ahead(tense(_clause(sentence, guess.anchor), language), language)
    )
    found_dates = find_dates(sentence, article.published, future=future, language=language)
    if future and language == "en":
        # "reported on Friday" that an act is to come: the saying is past whatever the act's tense.
        said = {s: (s, e, d) for s, e, d in find_dates(sentence, article.published, language=language)}
        found_dates = [
            said.get(s, (s, e, d)) if _SAID_ON.search(sentence, 0, s) else (s, e, d) for s, e, d in found_dates
        ]
    # A deadline ("must leave by 30 April", "до 30 апреля") is not when the event happened.
    found_dates = [
        (s, e, d)
        for s, e, d in found_dates
        if not _DEADLINE.search(sentence, 0, s) and not _DEADLINE_PHRASE.match(d.phrase)
    ]
    # "the first foreign secretary to visit Iran since 2003": the date is of the one before, not of this one.
    found_dates = [(s, e, d) for s, e, d in found_dates if not _FIRST_SINCE.search(sentence[:s] + d.phrase)]
    own = [(s, e, d) for s, e, d in found_dates if not _inside(s, causes)]
    if guess is not None and guess.code != "statement" and claim:
        # "said on Tuesday it would resume flights from March 25": the day of saying dates the act only alone.
        acted = [(s, e, d) for s, e, d in own if not _SAID_ON.search(sentence, 0, s)]
        own = acted or own
    dated = min(own, key=lambda item: abs(item[0] - (guess.anchor if guess else 0)))[2] if own else None
    if guess is None:
        return [], None, dated
    if _REPLY.match(sentence):
        return [], "a reply to a question, not an event the article reports", dated
    if language == "en" and not statement and _NEGATED.search(sentence, 0, guess.anchor):
        return [], "says the event did not or will not happen", dated
    if language == "ru" and not statement and CONDITIONAL_RU.search(_clause(sentence, guess.anchor)):
        return [], "a condition or a wish, not an event", dated
    planned = any(m.start() == guess.anchor for plan in _PLANS for m in plan.finditer(sentence))
    if not statement and not found_dates and not planned and _ANAPHORA.search(sentence[: guess.anchor]):
        return [], "refers back to an event named earlier, without a date of its own", dated
    # A Russian statement is about what it answers too: "Россия ответит на закрытие консульства в США".
    active = [m for m in mentions if not _inside(m.start, causes) or (statement and language == "ru")]
    if language == "ru" and claim:
        # "..., сообщил посол РФ в США Иван Петров": the states of the speaker's title name the speaker only.
        title = (claim.mention.end - len(claim.phrase), claim.mention.start)
        active = [m for m in active if m is claim.mention or not title[0] <= m.start < title[1]]
    if not active and not (claim and claim.mention not in mentions):  # a speaker named again ("— сказал он")
        reason = "no actor Chancery knows" if not mentions else "its actors are all in a clause about another event"
        return [], reason, dated
    # A statement's time is its verb of saying ("has said", "says"); another event's, its own clause.
    clause = claim.phrase if statement and claim else _clause(sentence, guess.anchor)
    date = _date_for(
        dated,
        [_cause_date(sentence, s, e, d, causes) for s, e, d in found_dates if _inside(s, causes)],
        # "работает над тем, чтобы открыть ...": a Russian intention's tense is its verb's, before the aim.
        tense(sentence if language == "ru" and status == "proposed" else clause, language),
        status,
        lede,
        carried,
        article.published,
        language,
        reported=language == "ru" and bool(_REPORTED_NOW.search(sentence)),
    )
    if date is None:
        return [], "no date in the sentence and no publication date", dated
    if status == "occurred" and not statement and date.how == "text" and article.published:
        ahead = _ahead(tense(_clause(sentence, guess.anchor), language), language)
        if date.start > article.published and (ahead or (language == "en" and date.phrase.lower().startswith("from"))):
            status = "scheduled"  # "Russia will lift restrictions on flights from November 9": set for a day ahead
    code = guess.code
    roles, locations = _roles(sentence, active, claim, code, guess.anchor, actors, language)
    if code == "meeting" and "meeting.summit" in types.names and sum(map(actors.is_leader, _actors_of(roles))) >= 2:
        code = "meeting.summit"
    if voice and not claim and code.split(".")[0] in STATE_ACT_FAMILIES and not _actors_of(roles, "initiator"):
        if re.search(r"\b(?:I|we|our)\b", _unquoted(sentence)):
            # "I have issued a waiver" in a release: its publisher's state acts.
            roles = [(actors.state_of(voice) or voice, "initiator"), *roles]
    if not roles:
        return [], "no actor in a role", dated
    if language == "ru" and before and _missing_party(code, roles, locations, actors):
        # "Одновременно были продлены санкции в отношении ...": a passive act with no doer, after the same
        # family's act, is done by the same doer.
        last = before[-1]
        named = {actors.side(a) for a, _ in roles}
        doers = [a for a in last.actors("initiator") if actors.side(a) not in named]
        if last.type.split(".")[0] == code.split(".")[0] != "statement" and doers and passive_ru(sentence):
            roles = _ordered([(a, "initiator") for a in doers] + roles)
            date = replace(last.date, how="carried") if date.how == "publication" else date
    if missing := _missing_party(code, roles, locations, actors):
        return [], missing, dated
    quote = sentence[:5000]
    proposals = []
    for location in locations or [None]:
        participants = list(roles)
        if location and location.get("host"):
            participants.append((location["host"], "host"))
        proposals.append(
            Proposal(
                type=code,
                status=status,
                date=date,
                participants=_ordered(participants),
                location={k: v for k, v in location.items() if k != "host"} if location else None,
                quote=quote,
                claimed_by=claim.actor if claim else voice,
                linked=linked,
                notes=_claim_note(claim, actors),
                passing=statement and not (lede or linked or _FORMAL.search(_VEHICLE.sub(" ", sentence))),
            )
        )
    return proposals, None, dated


# "..., сообщает Росавиация", "..., передает ТАСС": a report in the present tense, at the end of the sentence.
_REPORTED_NOW = re.compile(
    r"(?:[,—–]|\s-)\s*(?:[—–-]\s*)?(?:сообщает|сообщают|сообщается|передает|передаёт|пишет|говорится)\b", re.I
)
_SAID_ON = re.compile(r"\b(?:said|says|announced|announces|told\s+\w+|stated|reported)\s+$", re.I)
_DEADLINE_WORDS = r"(?:by|until|till|no later than|до|не позднее)"
_DEADLINE = re.compile(rf"\b{_DEADLINE_WORDS}\s+(?:the\s+)?$", re.I)
# "Asked whether the US was considering sanctions, Psaki replied: ...": what is asked and answered is no event.
_REPLY = re.compile(r"\s*(?:when\s+|as\s+)?asked\b", re.I)
_AGREED_TO = re.compile(r"\bagreed\s+to\b(?!\s+(?:a|an|the)\b)", re.I)
# "did not visit Damascus", "has never met", "refused to return": the act the trigger names does not happen.
_NEGATED = re.compile(
    r"\b(?:did|does|do|has|have|had|will|would|could|can)(?:\s+not|n['’]t)\s+(?:\w+\s+)?$"
    r"|\b(?:never|cannot|refus(?:ed|es)\s+to|declin(?:ed|es)\s+to)\s+(?:\w+\s+)?$",
    re.I,
)
_SIGNED_ACT = re.compile(
    r"\bsign(?:s|ed|ing)?\s+(?:a|an|the|its|his|her)?\s*(?:\w+\s+)?(?:decree|law|bill|executive order|order)\b", re.I
)
_DISCUSSED = re.compile(
    r"\b(?:discuss(?:ed|es|ing)?|consider(?:ed|s|ing)?|talk(?:ed|s|ing)?\s+about)\s+(?:the\s+)?"
    r"(?:possibility\s+of\s+|idea\s+of\s+)?(?P<act>\w+ing\b[^,;:—–]*)",
    re.I,
)
_PLANNED = re.compile(
    r"\b(?:road\s*map|plan|proposals?|initiative|draft)\s+(?:on|for|of)\s+(?:the\s+)?"
    r"(?P<act>(?:return|resumption|restoration|reopening|lifting|easing)\b[^,;:—–]*)",
    re.I,
)
_PLANS = (_PLANNED, PLANNED_RU)
_CANCELLING = re.compile(r"\b(?:cancel\w*|abolish\w*|отмен\w*)", re.I)
_DEADLINE_PHRASE = re.compile(rf"{_DEADLINE_WORDS}\s", re.I)
# What makes a statement the news rather than a remark: a warning, a protest, a formal statement.
_FORMAL = re.compile(
    r"\b(?:warn\w*|declar\w*|protest\w*|condemn\w*|demand\w*|denounc\w*|called on|urg(?:ed|es)|statement"
    r"|заявлени\w*|предупред\w*|осуд\w*|потребова\w*|призва\w*|протест\w*|последстви\w*|ответн\w+\s+мер\w*"
    r"|не\s+останется\s+без)\b",
    re.I,
)


# "said in a statement", "according to the statement", "citing a joint statement": the statement carries a
# remark, it does not make the remark a formal statement.
_VEHICLE = re.compile(
    r"\b(?:in|according\s+to|citing|from)\s+(?:a|an|the|its|his|her|their)?\s*(?:[\w-]+\s+){0,2}?statements?\b"
    r"|\bthe\s+statement\s+(?:said|added|says|reads|noted)\b",
    re.I,
)


# A name in capitals followed by its acronym: "the Collective Security Treaty Organisation (CSTO)".
_ACRONYM_NAME = re.compile(
    r"(?-i:(?P<name>[A-Z][\w'-]*(?:\s+(?:of|and|for|on|the|[A-Z][\w'-]*))+))\s+\((?-i:[A-Z]{2,})\)"
)


_CONSULTED = re.compile(r"\bin\s+(?:close\s+)?consultation\s+with\b", re.I)
_FIRST_SINCE = re.compile(r"\bfirst\b[^.;]*\bsince\s+[^.;]*$", re.I)


def _is_body_name(mention, actors):
    """A mention naming a body in words of its own ("Collective Security Treaty Organisation"), not a state's
    adjective or a person."""
    actor = actors.get(mention.actor)
    return actor is not None and actor.kind not in {"state", "person"} and len(mention.text.split()) >= 2


def _missing_party(code, roles, locations, actors):
    """Why the roles cannot make the event, or None: talks need two sides (or one and a place), an act needs
    the one who acts or two sides ("Mission reopened" by nobody against Iran is not an event to propose)."""
    family = code.split(".")[0]
    sides = {actors.side(a) for a, _ in roles} | {actors.side(loc.get("host")) for loc in locations if loc.get("host")}
    if family in SYMMETRIC_FAMILIES:
        if code == "meeting.summit" and any(getattr(actors.get(a), "kind", None) == "igo" for a, _ in roles):
            return None  # "the CIS summit", "G7 leaders' summit": an organisation's members meet, every side
        return None if len(sides) >= 2 or locations else "only one side of the talks or meeting is named"
    if family != "statement" and not _actors_of(roles, "initiator") and len(sides) < 2:
        return "no one is named as doing it"
    if family != "statement" and not _actors_of(roles, "initiator", "participant"):
        return "no one is named as doing it"  # "sanctions against the EU and Russia": only whom it is against
    return None


def _ahead(clause_tense, language):
    """Whether a clause's tense reads its dates as still to come: the future; in Russian the present too, which
    announces what is set ("открывает авиасообщение с 21 сентября")."""
    return clause_tense == "future" or (language == "ru" and clause_tense == "present")


def _unquoted(sentence):
    """The sentence without its quotations: what the article says in its own voice."""
    return re.sub(r"“[^”]*”|\"[^\"]*\"", " ", sentence)


def _clause(sentence, anchor):
    """The clause around the anchor: from the previous comma or semicolon to the next full stop."""
    starts = [m.end() for m in re.finditer(r"[,;:]\s", sentence[:anchor])]
    start = starts[-1] if starts else 0
    end = re.search(r"[.;!?](?:\s|$)", sentence[anchor:])
    return sentence[start : anchor + end.start() if end else len(sentence)] if start < anchor else sentence


def _date_for(own, causes, clause_tense, status, lede, carried, published, language="en", reported=False):
    """The sentence's date, by the first rule that gives one (docs/extraction.md, "Dates")."""
    if own:
        return own
    if lede and (clause_tense in {"present", "perfect"} or lede == "headline") and published and status == "occurred":
        return DateGuess(published, dates.DAY, how="lede")
    if language == "ru" and lede and status in {"postponed", "cancelled", "scheduled"} and published:
        # "Встреча переносится", "визит отменён", "саммит пройдёт" in the lede: dated when announced.
        return DateGuess(published, dates.DAY, how="lede")
    if lede and status == "proposed" and published:
        # "Россия намерена возобновить работу посольства": an intention without a date is dated when stated.
        return DateGuess(published, dates.DAY, how="lede")
    if language == "ru" and status == "proposed" and clause_tense in {"present", "future"} and published:
        # "Россия также планирует вновь открыть консульство": an intention said now, anywhere in the article.
        return DateGuess(published, dates.DAY, how="announced")
    if causes:
        return replace(coarser(causes[0]), how="cause")
    if clause_tense == "future" and status == "occurred" and published:
        # "Russia will close the consulate": the announced measure is the event, dated by its announcement.
        return DateGuess(published, dates.DAY, how="announced")
    # Russian has no perfect: its past ("perfect" here) continues the story as an English past does.
    if carried and (clause_tense == "past" or (language == "ru" and clause_tense == "perfect" and not lede)):
        return replace(carried, how="carried")
    if published is None:
        return None
    if reported and status == "occurred" and clause_tense in {"past", "perfect", "present"}:
        # "она запретила полёты ..., сообщает Росавиация", "«... объявляются персонами нон грата», — говорится в
        # сообщении МИДа": an act reported in the present is the day's news.
        return DateGuess(published, dates.DAY, how="reported")
    if clause_tense == "present" and status == "occurred":
        return DateGuess(published.replace(day=1), dates.MONTH, how="publication")
    return DateGuess(published.replace(month=1, day=1), dates.YEAR, how="publication")
