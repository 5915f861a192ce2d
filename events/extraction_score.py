"""How well the extractor does on real articles: the corpus's expectations against its proposals.

`manage.py score_extraction` runs `events.extraction` on every article of `corpus/` and scores
the proposals here; docs/extraction.md ("Measured on real articles") defines every number.

An expectation is *found* when some proposal matches it by the rules of the scorer that checks
Chancery from outside (`checks/score_proposals.py` of the steering folder): `matches` and `canon`
below are those rules, word for word, and a test runs that scorer to keep them so. A proposal is
*kept* when it is paired with an expectation it matches, one to one (`pair`), and each pair is
checked for its type, roles, date and status (`checks`). A looser pairing (the kept pairs, then the
same family and actors whatever the status and date) shows a wrong date as a wrong date, not only a miss.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .extraction import ExtractionError, proposals_to_dataset, propose

CORPUS_DIR = Path(settings.BASE_DIR) / "corpus"
CHECKS = ("type", "roles", "date", "status")
SPLITS = ("dev", "heldout", "unseen", "fresh", "fresh2")
LANGUAGES = ("en", "ru")


# ---------------------------------------------------------------- the corpus


@dataclass
class CorpusArticle:
    id: str
    url: str
    publisher: str
    published: str
    language: str
    split: str
    text_path: Path
    expected: list


def read_corpus(root=CORPUS_DIR):
    """(the articles of index.json in its order, with their expectations; the actors document)."""
    root = Path(root)
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    articles = [
        CorpusArticle(
            id=entry["id"],
            url=entry["url"],
            publisher=entry["publisher"],
            published=entry["published"],
            language=entry["language"],
            split=entry["split"],
            text_path=root / "articles" / f"{entry['id']}.txt",
            expected=json.loads((root / "expected" / f"{entry['id']}.json").read_text(encoding="utf-8")),
        )
        for entry in index
    ]
    actors = json.loads((root / "actors.json").read_text(encoding="utf-8"))
    return articles, actors


def propose_for(article, *, actors=None, types=None):
    """(the dataset `propose_events FILE --url --published --publisher` prints for the article, error or None).

    The same calls as the command, on the same bytes; the JSON round trip gives the very values it prints.
    An article the extractor refuses gets no proposal and its reason, where the command would exit with it.
    """
    content = article.text_path.read_bytes()
    try:
        extraction = propose(
            content,
            url=article.url,
            published=article.published,
            publisher=article.publisher,
            actors=actors,
            types=types,
        )
        document = proposals_to_dataset(extraction)
    except ExtractionError as exc:
        return {"actors": [], "events": []}, str(exc)
    return json.loads(json.dumps(document, ensure_ascii=False)), None


# ---------------------------------------------------------------- the outside scorer's rules


class ActorFacts:
    """Actors' kinds and countries, read from dataset documents in order: a later one wins, as in the scorer
    (corpus/actors.json first, then the proposals' own `actors`)."""

    def __init__(self, *documents):
        self.kinds, self.countries = {}, {}
        for document in documents:
            for actor in document.get("actors", []):
                self.countries[actor["id"]] = actor.get("country")
                self.kinds[actor["id"]] = actor.get("kind")

    def canon(self, actor_id):
        """States and governments count as the same actor whatever their id when they share a country."""
        kind = self.kinds.get(actor_id)
        if kind in ("state", "government") and self.countries.get(actor_id):
            return (kind, self.countries[actor_id])
        return actor_id

    def actors_of(self, proposal):
        """The proposal's actors as the scorer compares them: each id, and its canonical form."""
        raw = {x["actor"] for x in proposal.get("participants", [])}
        return raw | {self.canon(a) for a in raw}


def matches(proposal, expectation, facts):
    """Whether the proposal is the expected event, by every key the expectation names (score_proposals.py)."""
    p, exp = proposal, dict(expectation)
    raw = {x["actor"] for x in p.get("participants", [])}
    actors = facts.actors_of(p)
    for key in ("actors_all", "actors_any"):
        if key in exp:
            exp[key] = [facts.canon(a) for a in exp[key]]
    if "type_family" in exp and (p.get("type") or "").split(".")[0] != exp["type_family"]:
        return False
    if "status" in exp and p.get("status") != exp["status"]:
        return False
    if "start_prefix" in exp and not str(p.get("start") or "").startswith(exp["start_prefix"]):
        return False
    if "actors_all" in exp and not set(exp["actors_all"]) <= actors:
        return False
    if "actors_any" in exp and not set(exp["actors_any"]) & actors:
        return False
    if "claimed_by" in exp and exp["claimed_by"] not in {s.get("claimed_by") for s in p.get("sources", [])}:
        return False
    if "location_country_or_actor" in exp:
        c = exp["location_country_or_actor"]
        loc = (p.get("location") or {}).get("country")
        if loc != c and c not in {facts.countries.get(a) for a in raw}:
            return False
    return True


def loosely_matches(proposal, expectation, facts):
    """The same family and every actor of `actors_all`: what a curator would pair whatever the status and date."""
    if "type_family" in expectation and (proposal.get("type") or "").split(".")[0] != expectation["type_family"]:
        return False
    wanted = {facts.canon(a) for a in expectation.get("actors_all", ())}
    return wanted <= facts.actors_of(proposal)


# ---------------------------------------------------------------- what a pair gets right


def roles_held(proposal, actor_id, facts):
    """The roles the proposal gives the actor, its participants compared by the scorer's identity (`canon`)."""
    wanted = facts.canon(actor_id)
    return {x["role"] for x in proposal.get("participants", []) if facts.canon(x["actor"]) == wanted}


def checks(proposal, expectation, facts):
    """{check: True/False, or None where the expectation does not say} for a paired proposal.

    type: the full code is the expected one. roles: every actor of the expectation's `roles` holds
    exactly that role in the proposal (an initiator also made a target is wrong). date: `start` is the
    expected one, at the same precision. status: the expected one.
    """
    roles = expectation.get("roles") or {}
    return {
        "type": proposal.get("type") == expectation["type"] if "type" in expectation else None,
        "roles": all(roles_held(proposal, a, facts) == {r} for a, r in roles.items()) if roles else None,
        "date": proposal.get("start") == expectation["start"] if "start" in expectation else None,
        "status": proposal.get("status") == expectation["status"] if "status" in expectation else None,
    }


# ---------------------------------------------------------------- one to one


def pair(expectations, proposals, related, facts):
    """[(expectation index, proposal index)]: each expectation with at most one proposal and the reverse.

    Optimal, not greedy: as many pairs as the relation allows (a maximum matching) and, among those,
    the ones whose checks are right most often, as a curator would pair them. Ties go to the pairing
    the assignment below finds first, which depends only on the order of the two lists.
    """
    edges = {}
    for i, exp in enumerate(expectations):
        for j, proposal in enumerate(proposals):
            if related(proposal, exp, facts):
                edges[i, j] = sum(1 for ok in checks(proposal, exp, facts).values() if ok)
    if not edges:
        return []
    # Each pair weighs more than all the right checks of any pairing together: the count of pairs comes first.
    heavy = len(CHECKS) * min(len(expectations), len(proposals)) + 1
    weight = [
        [heavy + edges[i, j] if (i, j) in edges else 0 for j in range(len(proposals))] for i in range(len(expectations))
    ]
    if len(expectations) <= len(proposals):
        chosen = _assignment([[-w for w in row] for row in weight])
        found = list(enumerate(chosen))
    else:
        chosen = _assignment([[-weight[i][j] for i in range(len(expectations))] for j in range(len(proposals))])
        found = [(i, j) for j, i in enumerate(chosen)]
    return sorted((i, j) for i, j in found if (i, j) in edges)


def _assignment(cost):
    """For each row of an n x m cost matrix (n <= m), its column in an assignment of least total cost.

    The Hungarian method with potentials, O(n^2 m); the matrices here are a few rows by a few dozen.
    """
    n, m = len(cost), len(cost[0])
    u, v = [0] * (n + 1), [0] * (m + 1)
    owner, way = [0] * (m + 1), [0] * (m + 1)  # owner[j]: the row (1-based) in column j; column 0 is the free one
    for row in range(1, n + 1):
        owner[0], col = row, 0
        least, used = [float("inf")] * (m + 1), [False] * (m + 1)
        while owner[col]:
            used[col] = True
            r, delta, nxt = owner[col], float("inf"), 0
            for j in range(1, m + 1):
                if not used[j]:
                    reduced = cost[r - 1][j - 1] - u[r] - v[j]
                    if reduced < least[j]:
                        least[j], way[j] = reduced, col
                    if least[j] < delta:
                        delta, nxt = least[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    least[j] -= delta
            col = nxt
        while col:
            prev = way[col]
            owner[col] = owner[prev]
            col = prev
    columns = [0] * n
    for j in range(1, m + 1):
        if owner[j]:
            columns[owner[j] - 1] = j - 1
    return columns


# ---------------------------------------------------------------- an article, a group of articles


@dataclass
class Pair:
    expectation: int
    proposal: int
    checks: dict


@dataclass
class ArticleScore:
    expectations: list
    proposals: list
    found: list  # one bool per expectation: matched by some proposal (the outside scorer's count)
    pairs: list  # [Pair], one to one over `matches`: the kept proposals
    loose_pairs: list  # [Pair]: the kept pairs, then one to one over `loosely_matches` among the rest
    facts: ActorFacts

    @property
    def kept(self):
        return {p.proposal for p in self.pairs}


def score_article(document, expectations, actors_document):
    """The score of one article's proposals (a dataset document) against its expectations."""
    facts = ActorFacts(actors_document, document)
    proposals = document.get("events", [])
    kept = pair(expectations, proposals, matches, facts)
    # The loose pairs extend the kept ones: what matches stays paired, the rest is paired more loosely.
    rest_e = [i for i in range(len(expectations)) if i not in {i for i, _ in kept}]
    rest_p = [j for j in range(len(proposals)) if j not in {j for _, j in kept}]
    loose = kept + [
        (rest_e[i], rest_p[j])
        for i, j in pair([expectations[i] for i in rest_e], [proposals[j] for j in rest_p], loosely_matches, facts)
    ]
    return ArticleScore(
        expectations=expectations,
        proposals=proposals,
        found=[any(matches(p, exp, facts) for p in proposals) for exp in expectations],
        pairs=[Pair(i, j, checks(proposals[j], expectations[i], facts)) for i, j in kept],
        loose_pairs=[Pair(i, j, checks(proposals[j], expectations[i], facts)) for i, j in sorted(loose)],
        facts=facts,
    )


@dataclass
class Tally:
    """Sums over articles; every rate is a sum over a sum (each expectation and proposal weighs the same)."""

    articles: int = 0
    expected: int = 0
    found: int = 0
    proposals: int = 0
    kept: int = 0
    right: Counter = field(default_factory=Counter)  # check -> pairs where it is right
    stated: Counter = field(default_factory=Counter)  # check -> pairs whose expectation states it
    loose: int = 0
    loose_right: Counter = field(default_factory=Counter)
    loose_stated: Counter = field(default_factory=Counter)

    def add(self, score):
        self.articles += 1
        self.expected += len(score.expectations)
        self.found += sum(score.found)
        self.proposals += len(score.proposals)
        self.kept += len(score.pairs)
        self.loose += len(score.loose_pairs)
        for pairs, right, stated in (
            (score.pairs, self.right, self.stated),
            (score.loose_pairs, self.loose_right, self.loose_stated),
        ):
            for p in pairs:
                for name, ok in p.checks.items():
                    if ok is not None:
                        stated[name] += 1
                        right[name] += ok
        return self

    def as_dict(self):
        return {
            "articles": self.articles,
            "expected": self.expected,
            "found": self.found,
            "recall": rate(self.found, self.expected),
            "proposals": self.proposals,
            "kept": self.kept,
            "precision": rate(self.kept, self.proposals),
            "matched": {
                n: {"right": self.right[n], "of": self.stated[n], "rate": rate(self.right[n], self.stated[n])}
                for n in CHECKS
            },
            "loose_pairs": self.loose,
            "loose": {
                n: {
                    "right": self.loose_right[n],
                    "of": self.loose_stated[n],
                    "rate": rate(self.loose_right[n], self.loose_stated[n]),
                }
                for n in CHECKS
            },
        }


def rate(part, whole):
    return round(part / whole, 4) if whole else None


def groups(scored):
    """[(label, Tally)]: each split by language ("dev en"), each split ("dev"), each language ("en"), and
    everything ("all"); empty groups left out."""
    wanted = [(s, lang) for s in SPLITS for lang in (*LANGUAGES, None)] + [(None, lang) for lang in (*LANGUAGES, None)]
    result = []
    for split, language in wanted:
        tally = Tally()
        for article, score in scored:
            if split in (None, article.split) and language in (None, article.language):
                tally.add(score)
        if tally.articles:
            result.append((" ".join(filter(None, (split, language))) or "all", tally))
    return result


# ---------------------------------------------------------------- reports


def _fraction(right, of):
    return f"{right}/{of}" if of else "-"


def _percent(part, whole):
    return f"{100 * part / whole:.0f}%" if whole else "-"


def article_table(scored):
    width = max(len("article"), *(len(article.id) for article, _ in scored))
    lines = [
        f"{'article':<{width}} {'lang':<4} {'split':<7} {'found':>6} {'props':>5} {'kept':>4} "
        f"{'type':>5} {'roles':>5} {'date':>5} {'status':>6} | {'loose':>5} {'date':>5} {'status':>6}"
    ]
    for article, score in scored:
        tally = Tally().add(score)
        lines.append(
            f"{article.id:<{width}} {article.language:<4} {article.split:<7} "
            f"{_fraction(tally.found, tally.expected):>6} {tally.proposals:>5} {tally.kept:>4} "
            + " ".join(f"{_fraction(tally.right[n], tally.stated[n]):>{max(5, len(n))}}" for n in CHECKS)
            + f" | {tally.loose:>5} {_fraction(tally.loose_right['date'], tally.loose_stated['date']):>5} "
            f"{_fraction(tally.loose_right['status'], tally.loose_stated['status']):>6}"
        )
    return lines


def totals_table(scored):
    lines = [
        f"{'':<12} {'articles':>8} {'found':>8} {'recall':>6} {'kept':>7} {'precision':>9} "
        f"{'type':>5} {'roles':>5} {'date':>5} {'status':>6} | {'loose':>5} {'date':>5} {'status':>6}"
    ]
    for label, t in groups(scored):
        lines.append(
            f"{label:<12} {t.articles:>8} {_fraction(t.found, t.expected):>8} {_percent(t.found, t.expected):>6} "
            f"{_fraction(t.kept, t.proposals):>7} {_percent(t.kept, t.proposals):>9} "
            + " ".join(f"{_percent(t.right[n], t.stated[n]):>{max(5, len(n))}}" for n in CHECKS)
            + f" | {t.loose:>5} {_percent(t.loose_right['date'], t.loose_stated['date']):>5} "
            f"{_percent(t.loose_right['status'], t.loose_stated['status']):>6}"
        )
    return lines


def _describe(proposal):
    people = ", ".join(f"{x['actor']} ({x['role']})" for x in proposal.get("participants", []))
    return (
        f"{proposal.get('title') or '(untitled)'} "
        f"[{proposal.get('type')}, {proposal.get('status')}, {proposal.get('start')}] participants: {people or 'none'}"
    )


def _wrong(proposal, expectation, result, facts):
    """What a paired proposal gets wrong, each with what was expected."""
    said = []
    if result["type"] is False:
        said.append(f"type {proposal.get('type')} (expected {expectation['type']})")
    if result["roles"] is False:
        for actor, role in expectation["roles"].items():
            held = roles_held(proposal, actor, facts)
            if held != {role}:
                said.append(f"{actor} {'/'.join(sorted(held)) or 'absent'} (expected {role})")
    if result["date"] is False:
        said.append(f"date {proposal.get('start')} (expected {expectation['start']})")
    if result["status"] is False:
        said.append(f"status {proposal.get('status')} (expected {expectation['status']})")
    return "; ".join(said)


def details(article, score, error=None):
    """Why the numbers of one article are what they are: misses, proposals not kept, what the pairs get wrong."""
    lines = [f"{article.id} ({article.language}, {article.split}, {article.publisher}, {article.published})"]
    if error:
        lines.append(f"  refused: {error}")
    for i, exp in enumerate(score.expectations):
        if not score.found[i]:
            lines.append(f"  missed: {exp.get('note', json.dumps(exp))}")
    kept = score.kept
    for j, proposal in enumerate(score.proposals):
        if j not in kept:
            lines.append(f"  not kept: {_describe(proposal)}")
    also_kept = {(p.expectation, p.proposal) for p in score.pairs}
    loose_only = [p for p in score.loose_pairs if (p.expectation, p.proposal) not in also_kept]
    for label, pairs in (("kept", score.pairs), ("loosely paired", loose_only)):
        for p in pairs:
            wrong = _wrong(score.proposals[p.proposal], score.expectations[p.expectation], p.checks, score.facts)
            if wrong:
                lines.append(f"  {label}, but {wrong}: {score.expectations[p.expectation].get('note')}")
    return lines


def report_json(scored, errors, actors_label):
    """Everything, for --json: per article each expectation, proposal and pair, and the totals."""

    def pairs(items):
        return [{"expectation": p.expectation, "proposal": p.proposal, **p.checks} for p in items]

    articles = []
    for article, score in scored:
        total = Tally().add(score).as_dict()
        del total["articles"]
        articles.append(
            {
                "id": article.id,
                "language": article.language,
                "split": article.split,
                "publisher": article.publisher,
                "published": article.published,
                "refused": errors.get(article.id),
                "score": total,
                "expectations": [
                    {**exp, "found": found} for exp, found in zip(score.expectations, score.found, strict=True)
                ],
                "proposals": [{**p, "kept": j in score.kept} for j, p in enumerate(score.proposals)],
                "pairs": pairs(score.pairs),
                "loose_pairs": pairs(score.loose_pairs),
            }
        )
    return {
        "actors": actors_label,
        "totals": {label: tally.as_dict() for label, tally in groups(scored)},
        "articles": articles,
    }
