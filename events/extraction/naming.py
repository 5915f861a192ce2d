"""Merging proposals that say the same, and naming them."""

import re

from .. import dates
from .structure import SYMMETRIC_FAMILIES, _ordered

_DATE_RANK = {"text": 0, "carried": 1, "cause": 2, "lede": 3, "announced": 3, "reported": 3, "publication": 4}


def _merge(proposals, actors):
    """Proposals that say the same thing become one: the best-dated sentence stays, as the quote.

    Statements merge by speaker (an interview quoted in several sentences); other events by family, status
    and the sides taking part, when their dates agree (one period contains the other, or one is a guess).
    Headlines of linked articles never merge with the article's own sentences. An act told again with fewer
    of its parties merges afterwards, into the one act it can be: told of several ("Russian diplomats were
    expelled" beside Latvia's and Estonia's expulsions), it stays apart rather than join them.
    """
    merged = []
    for proposal in proposals:
        for index, kept in enumerate(merged):
            if _same_event(kept, proposal, actors, fewer=False):
                merged[index] = _absorb(kept, proposal)
                break
        else:
            merged.append(proposal)
    sides = [_sides(p, actors) for p in merged]
    fuller = [
        [j for j, other in enumerate(merged) if sides[i] < sides[j] and _same_event(other, p, actors)]
        for i, p in enumerate(merged)
    ]
    # The acts no other tells with more parties are the ones the others may be; the others go to theirs. One
    # that sums up distinct acts ("Latvia and Estonia expelled Russian diplomats" beside each one's expulsion)
    # takes none of them: it would join what the article tells apart.
    whole = {i for i in range(len(merged)) if not fuller[i]}
    parts = {j: [i for i in range(len(merged)) if j in fuller[i]] for j in whole}
    gone = set()
    for i in sorted(set(range(len(merged))) - whole, key=lambda i: len(sides[i]), reverse=True):
        candidates = [
            j
            for j in fuller[i]
            if j in whole and all(_same_event(merged[i], merged[k], actors) for k in parts[j] if k != i)
        ]
        if candidates:
            # Of several, the best-dated takes it, alone: never a bridge that would join them.
            best = min(candidates, key=lambda j: (_quality(merged[j]), j))
            merged[best] = _absorb(merged[best], merged[i])
            gone.add(i)
    return [p for i, p in enumerate(merged) if i not in gone]


def _sides(proposal, actors):
    return frozenset(actors.side(x) for x in proposal.actors())


def _absorb(kept, proposal):
    """One proposal of two that say the same: the better-dated, with the other's parties and count (and its
    claimant, when it has none of its own)."""
    better = min(kept, proposal, key=_quality)
    worse = proposal if better is kept else kept
    better.also += 1 + worse.also
    known = set(better.actors())
    better.participants = _ordered(
        better.participants + [(x, role) for x, role in worse.participants if x not in known]
    )
    better.passing = better.passing and worse.passing
    if better.claimed_by is None and worse.claimed_by is not None:
        # A headline says it in the article's voice; the body's sentence that says it again names the source.
        better.claimed_by, better.notes = worse.claimed_by, [*better.notes, *worse.notes]
    return better


def _quality(proposal):
    return (_DATE_RANK[proposal.date.how], dates.PRECISIONS.index(proposal.date.precision))


def _same_event(a, b, actors, fewer=True):
    if a.linked or b.linked or a.type.split(".")[0] != b.type.split(".")[0]:
        return False
    if "." in a.type and "." in b.type and a.type != b.type:
        return False  # a ban and a resumption of flights, sanctions imposed and lifted: two events
    if a.type == "statement":
        return a.actors("initiator") == b.actors("initiator")
    if a.status != b.status:
        return False
    a_sides, b_sides = {actors.side(x) for x in a.actors()}, {actors.side(x) for x in b.actors()}
    # An act told again with fewer of its parties ("Москва объявила персонами нон грата ряд американских
    # дипсотрудников", then the note with the list and the UN mission) is the same act.
    if a_sides != b_sides and (
        not fewer or a.type.split(".")[0] in SYMMETRIC_FAMILIES or not (a_sides <= b_sides or b_sides <= a_sides)
    ):
        return False
    a_acts, b_acts = {actors.side(x) for x in a.actors("initiator")}, {actors.side(x) for x in b.actors("initiator")}
    a_others = {actors.side(x) for x in a.actors("target", "host")}
    b_others = {actors.side(x) for x in b.actors("target", "host")}
    if a_acts and b_acts and (a_acts & b_others or b_acts & a_others) and not a_acts & b_acts:
        return False  # each acting on the other, or each reopening its embassy in the other: two events
    hows = {a.date.how, b.date.how}
    if "lede" in hows and not hows <= {"publication", "lede", "announced", "reported"}:
        # The lede's event is the day's news, which a later sentence may date ("on Monday"); one the article
        # dates to another year is another event ("flights restored in 2008" beside "reopened air traffic").
        lede, other = (a, b) if a.date.how == "lede" else (b, a)
        return other.date.start.year == lede.date.start.year
    if hows & {"publication", "lede", "announced", "reported"}:
        return True
    return _contains(a.date, b.date) or _contains(b.date, a.date)


def _contains(outer, inner):
    outer_end = dates.period_end(outer.end or outer.start, outer.end_precision or outer.precision)
    inner_end = dates.period_end(inner.end or inner.start, inner.end_precision or inner.precision)
    return outer.start <= inner.start and inner_end <= outer_end


_TARGET_WORD = {"statement": "about", "proposal": "to", "agreement": "with"}


def _name(proposals, actors, types, article):
    """Ids (a slug of type, actors and date, unique among the proposals), titles and summaries."""
    used = set()
    for proposal in proposals:
        base = _slug(proposal, actors)
        candidate, number = base, 2
        while candidate in used:
            candidate = f"{base[: 100 - len(str(number)) - 1]}-{number}"
            number += 1
        used.add(candidate)
        proposal.id = candidate
        proposal.title = _title(proposal, actors, types)[:300]
        proposal.summary = _summary(proposal, article)


def _slug(proposal, actors):
    ordered = []
    for role in ("initiator", "participant", "host", "target"):
        ordered += [a for a in proposal.actors(role) if a not in ordered]
    when = dates.format_partial_date(proposal.date.start, proposal.date.precision)
    words = [proposal.type.replace(".", "-").replace("_", "-"), *ordered[:4], when]
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(words).lower()).strip("-")
    if len(slug) > 90:
        slug = slug[:90].rsplit("-", 1)[0]
    return slug or "proposal"


def _names(ids, actors):
    names = [actors.get(i).name if actors.get(i) else i for i in ids]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _title(proposal, actors, types):
    family = proposal.type.split(".")[0]
    type_name = types.name(proposal.type)
    if family in SYMMETRIC_FAMILIES:
        sides = proposal.actors("participant")
        sides = sides if len(sides) > 1 else proposal.actors("initiator", "participant")
        title = (
            f"{type_name} between {_names(sides, actors)}"
            if len(sides) > 1
            else f"{type_name}: {_names(sides, actors)}"
        )
        if proposal.location:
            title += f" in {proposal.location['name']}"
    elif not proposal.actors("initiator", "target"):
        title = f"{type_name}: {_names(proposal.actors(), actors)}"
    elif proposal.actors("initiator") == proposal.actors("target"):
        title = f"{type_name}: {_names(proposal.actors('initiator'), actors)}, on each other"
    else:
        title = f"{type_name} by {_names(proposal.actors('initiator'), actors)}"
        targets = proposal.actors("target")
        if targets:
            title += f" {_TARGET_WORD.get(family, 'against')} {_names(targets, actors)}"
    if proposal.status != "occurred":
        title += f" ({proposal.status})"
    return title


def _summary(proposal, article):
    date = proposal.date
    when = dates.format_partial_date(date.start, date.precision)
    if date.end:
        when += f" to {dates.format_partial_date(date.end, date.end_precision)}"
    lines = [
        "Proposed from the headline of a linked article, not from this article's own text."
        if proposal.linked
        else "Proposed from the article's text."
    ]
    if date.how == "text":
        lines.append(f"Date from “{date.phrase}”: {when} ({date.precision}).")
        if date.qualifier:
            lines.append(f"The article says “{date.qualifier}”: only the {date.precision} is kept.")
    elif date.how == "cause":
        lines.append(
            f"The sentence dates only what the event followed (“{date.phrase}”): dated to the {date.precision} "
            f"of that, {when}."
        )
    elif date.how == "carried":
        lines.append(f"No date of its own: the previous sentence's “{date.phrase}” is kept ({when}, {date.precision}).")
    elif date.how == "announced":
        lines.append(
            f"No date in the sentence: a measure announced for the future is dated to its announcement, {when}."
        )
    elif date.how == "reported":
        lines.append(f"No date in the sentence: an act the article reports in the present is dated to {when}.")
    elif date.how == "lede":
        lines.append(f"No date in the sentence: the news of the lede is dated to the publication day, {when}.")
    else:
        lines.append(f"The article gives no date for it: dated to the {date.precision} of publication, {when}.")
    lines += proposal.notes
    if proposal.also:
        lines.append(f"{proposal.also} other sentence{'s' if proposal.also > 1 else ''} of the article say the same.")
    if not article.url:
        lines.append(f"Quote: “{proposal.quote}”")
    return " ".join(lines)
