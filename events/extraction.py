"""Draft events proposed from an article's text: small rules, no learning.

`propose(content, url=..., published=..., publisher=...)` reads an article
(HTML through trafilatura, or plain text), splits its body into sentences and
turns each sentence that names an actor Chancery knows and a kind of event its
taxonomy knows into a draft event. `proposals_to_dataset` writes them in the
dataset shape (docs/dataset.md) that `events.dataset.import_document` takes.

Each rule is a small function below; docs/extraction.md says what each does
and where it fails. A curator reviews every proposal: they are drafts.
"""

import datetime
import functools
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from . import dates

MAX_CHARS = 2_000_000
"""Longer input is refused: no article is that long, and the rules run in time proportional to it."""

ROLE_ORDER = ("initiator", "target", "participant", "mediator", "host")
SYMMETRIC_FAMILIES = frozenset({"talks", "meeting", "agreement"})
"""Event families where the sides act together: everyone named takes part, no one acts on another."""
STATE_ACT_FAMILIES = frozenset({"sanctions", "flights", "property", "diplomats", "missions"})
"""Acts only a state can do: a person or ministry doing them acts for its state, which is named too."""


class ExtractionError(ValueError):
    """The input cannot be read as an article; the message says why."""


# ---------------------------------------------------------------- reading the article


@dataclass(frozen=True)
class Paragraph:
    text: str
    linked: bool = False  # the headline of another article ("READ MORE: ..."), not this article's own words


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: tuple
    url: str | None = None
    published: datetime.date | None = None
    publisher: str | None = None

    @property
    def text(self):
        return "\n\n".join(p.text for p in self.paragraphs if not p.linked)


_HTML = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|article|main|div|p|h1|title)\b[^>]*>", re.I)
# Page furniture of news sites, matched on whole lines.
_MARKER = re.compile(r"^(?:read more|read next|related|see also|also read|advertisement|share|share this)\W*$", re.I)
_LINKED = re.compile(r"^(?:read more|read next|see also|also read|related)\s*:\s*(?P<headline>.+)$", re.I)
_CAPTION = re.compile(r"^(?:file photo|photo|image|picture|video|credit|source|caption)\s*[:|]", re.I)
_CREDIT = re.compile(
    r"^(?:©|\(c\)|copyright\b|all rights reserved|reporting by|writing by|editing by|additional reporting"
    r"|our standards|for media (?:enquiries|inquiries)|press contact|follow us|subscribe\b)",
    re.I,
)
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$")
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_FULL_DATE = rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}|{_MONTH}\s+{_DAY},?\s+{_YEAR})"
# A line that is only a date and time, as news sites print above the text ("Nov 9, 2025 - 14:00").
_TIMESTAMP = re.compile(
    rf"^(?:(?:published|updated|posted)(?:\s+on)?:?\s*)?(?:[A-Z][a-z]+day,?\s+)?(?P<date>{_FULL_DATE})"
    r"(?:\s*[-|,·•]?\s*\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*[A-Z]{2,4})?)?$",
    re.I,
)
# "MOSCOW, 14 March 2024 —", "ISTANBUL, Feb 27 (Reuters) -": where and when, before the first sentence.
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'’-]{1,40}[A-Z])(?:,\s*(?P<date>[^—–()\n]{3,30}?))?\s*(?:\([A-Za-z .]{2,30}\))?"
    r"\s*(?:—|–|--|-)\s+"
)


def looks_like_html(content):
    return bool(_HTML.search(content[:5000]))


def read_article(content, *, url=None, published=None, publisher=None):
    """The article's title, body paragraphs and metadata; arguments win over what the page says."""
    from .dataset import SURROGATE

    for name, value in (("url", url), ("publisher", publisher)):
        # A command line's bytes that are not UTF-8 arrive as lone surrogates, which nothing can store.
        if isinstance(value, str) and SURROGATE.search(value):
            raise ExtractionError(f"{name}: {value!r} is not UTF-8 text")
    content = _as_text(content)
    published = parse_published(published)
    url = _checked_url(url) if url else None
    if looks_like_html(content):
        title, lines, found = _html_parts(content)
        paragraphs, stamp = _body(lines, title, join_wrapped=False)
    else:
        title, lines = _text_parts(content)
        found = {}
        paragraphs, stamp = _body(lines, title, join_wrapped=True)
    if not paragraphs:
        raise ExtractionError("no article text found: only a title, headings or page furniture")
    paragraphs, dateline = _strip_dateline(paragraphs)
    try:
        found_url = _checked_url(found["url"]) if found.get("url") else None
    except ExtractionError:
        found_url = None
    return Article(
        title=_squeeze(title)[:500],
        paragraphs=tuple(paragraphs),
        url=url or found_url,
        published=published or found.get("published") or stamp or dateline,
        publisher=(publisher or found.get("publisher") or "")[:200] or None,
    )


def _as_text(content):
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ExtractionError(f"the article is not UTF-8 text (byte {exc.start})") from None
    if not isinstance(content, str):
        raise ExtractionError("the article must be text or HTML")
    if len(content) > MAX_CHARS:
        raise ExtractionError(f"the article is {len(content):,} characters long; the limit is {MAX_CHARS:,}")
    content = content.replace("\x00", "")
    if not content.strip():
        raise ExtractionError("the article is empty")
    return content


def parse_published(value):
    """A publication date from a date or 'YYYY-MM-DD'; None stays None."""
    if value is None or isinstance(value, datetime.date):
        return value.date() if isinstance(value, datetime.datetime) else value
    try:
        parsed, precision = dates.parse_partial_date(value)
    except ValueError as exc:
        raise ExtractionError(f"published: {exc}") from None
    if precision != dates.DAY:
        raise ExtractionError(f"published: {value!r} is not a day (YYYY-MM-DD)")
    return parsed


def _checked_url(url):
    try:
        URLValidator(schemes=["http", "https"])(url)
    except (ValidationError, ValueError):
        raise ExtractionError(f"url: {url!r} is not an http(s) URL") from None
    return url


def _html_parts(content):
    import trafilatura  # imported here: loading it costs a quarter of a second that plain text does not need

    # It logs an error for every page it cannot read; the ExtractionError below says so once, in our words.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    try:
        document = trafilatura.bare_extraction(content, with_metadata=True, include_comments=False)
    except Exception as exc:  # noqa: BLE001 - any parser failure on foreign HTML is the input's problem
        raise ExtractionError(f"the HTML could not be read ({type(exc).__name__})") from None
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise ExtractionError("no article text found in the HTML")
    lines = text.splitlines()
    title = getattr(document, "title", None) or next((line for line in lines if line.strip()), "")
    found = {"url": getattr(document, "url", None), "publisher": getattr(document, "sitename", None)}
    try:
        found["published"] = parse_published(getattr(document, "date", None))
    except ExtractionError:
        found["published"] = None
    return title, lines, found


def _text_parts(content):
    """The first non-empty line is the title, the rest the body."""
    lines = content.splitlines()
    for index, line in enumerate(lines):
        if line.strip():
            return line.strip(), lines[index + 1 :]
    return "", []


def _squeeze(text):
    return re.sub(r"\s+", " ", text).strip()


def _same_text(a, b):
    def key(text):
        return re.sub(r"\W+", "", text).casefold()

    return bool(key(a)) and key(a) == key(b)


def _logical_lines(lines, join_wrapped):
    """Lines as paragraphs; with `join_wrapped`, a long line without final punctuation continues on the next."""
    current = ""
    for raw in lines:
        line = _squeeze(raw)
        if not line:
            if current:
                yield current
            current = ""
            continue
        if join_wrapped and current and len(current) >= 60 and not _ENDS_SENTENCE.search(current):
            current = f"{current} {line}"
            continue
        if current:
            yield current
        current = line
    if current:
        yield current


def _body(lines, title, *, join_wrapped):
    """The paragraphs of the body, without page furniture; and a timestamp line's date, if any."""
    paragraphs, after_marker, stamp = [], False, None
    for line in _logical_lines(lines, join_wrapped):
        if not re.search(r"[^\W\d_]", line) or _same_text(line, title):
            continue  # counters ("0"), rules, the title printed again
        if match := _TIMESTAMP.match(line):
            stamp = stamp or _explicit_date(match["date"])
            continue
        if _MARKER.match(line):
            after_marker = True
            continue
        if _CAPTION.match(line) or _CREDIT.match(line):
            continue
        if match := _LINKED.match(line):
            paragraphs.append(Paragraph(match["headline"].strip(), linked=True))
            after_marker = False
            continue
        if not _ENDS_SENTENCE.search(line):
            # A heading or standfirst; right after "Read more" it is the linked article's headline.
            if after_marker:
                paragraphs.append(Paragraph(line, linked=True))
            after_marker = False
            continue
        after_marker = False
        paragraphs.append(Paragraph(line))
    return paragraphs, stamp


def _strip_dateline(paragraphs):
    """The first paragraph without its dateline; the dateline's date when it gives a year."""
    for index, paragraph in enumerate(paragraphs):
        if paragraph.linked:
            continue
        match = _DATELINE.match(paragraph.text)
        if not match:
            return paragraphs, None
        rest = paragraph.text[match.end() :]
        found = _explicit_date(match["date"]) if match["date"] else None
        return [*paragraphs[:index], Paragraph(rest), *paragraphs[index + 1 :]], found
    return paragraphs, None


def _explicit_date(text):
    """A date written with its day, month and year, or None."""
    text = text.strip()
    if not re.search(r"\d{4}", text):
        return None
    parsed = _parse_with_dateparser(text, datetime.date(2000, 1, 1), None)
    return parsed[0] if parsed and parsed[1] == dates.DAY else None


# ---------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col maj capt sen rep gov st jr sr no vs etc approx dept est inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u a.m p.m i.e e.g".split()
)
# After these, "U.S." or "U.K." ends a sentence rather than qualifying the next word.
_SENTENCE_STARTERS = frozenset("The It He She They We In On But A An This That There Its Their His Her".split())
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")


def split_sentences(text):
    """Sentences of a paragraph; not inside quotations, not after abbreviations such as 'Mr.' or 'U.S.'."""
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(text):
        following = text[match.end() : match.end() + 1]
        if not following or not (following.isupper() or following.isdigit() or following in '"“‘(['):
            continue
        candidate = text[start : match.end()]
        if _inside_quotation(candidate) and len(candidate) < 800:
            continue
        if _ends_with_abbreviation(text[start : match.start() + 1], text[match.end() :]):
            continue
        sentences.append(candidate.strip())
        start = match.end()
    if text[start:].strip():
        sentences.append(text[start:].strip())
    return sentences


def _inside_quotation(text):
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _ends_with_abbreviation(before, after):
    token = re.search(r"([\w.]+)\.$", before)
    if not token:
        return False
    word = token.group(1)
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. Smith"
    if word.lower() not in _ABBREVIATIONS:
        return False
    next_word = re.match(r"\W*(\w+)", after)
    return not (word.lower() in {"u.s", "u.k", "u.n", "e.u"} and next_word and next_word.group(1) in _SENTENCE_STARTERS)


# ---------------------------------------------------------------- actors


@dataclass(frozen=True)
class KnownActor:
    id: str
    name: str
    kind: str
    country: str = ""
    parent: str | None = None
    aliases: tuple = ()


@dataclass(frozen=True)
class Mention:
    actor: str
    start: int
    end: int
    text: str


_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W_]+")
_NAME_GAP = re.compile(r"\s+|\s*-\s*")
# Adjectives naming a state, used only before the nouns below ("Russian diplomats", "the US side").
DEMONYMS = {
    "American": "USA",
    "Russian": "RUS",
    "Saudi": "SAU",
    "Turkish": "TUR",
    "Hungarian": "HUN",
    "Ukrainian": "UKR",
    "British": "GBR",
    "French": "FRA",
    "German": "DEU",
    "Chinese": "CHN",
    "Israeli": "ISR",
    "Iranian": "IRN",
    "Polish": "POL",
    "Belarusian": "BLR",
    "Japanese": "JPN",
    "Indian": "IND",
}
_DEMONYM_NOUNS = frozenset(
    "diplomat diplomats diplomatic delegation delegations officials official side government authorities "
    "embassy embassies consulate consulates mission missions carriers airlines aircraft properties property "
    "citizens nationals envoy envoys ambassador negotiators".split()
)


def _tokens(text):
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _is_acronym(name):
    letters = re.sub(r"[^\w]", "", name)
    return bool(letters) and letters.isupper() and len(letters) <= 6


class ActorIndex:
    """Finds the actors Chancery knows in a text, by name and alias, whole words only.

    Acronyms ("US", "USA") match only as written, or dotted ("U.S."); other
    names match in any case but must start with a capital ("Russian foreign
    ministry" finds the "Russian Foreign Ministry", "turkey" does not find
    Türkiye). Where names overlap, the longest wins ("Sergey Lavrov", not
    "Lavrov"); a name two actors share belongs to the first by id.
    """

    def __init__(self, actors):
        self.actors = {actor.id: actor for actor in sorted(actors, key=lambda a: a.id)}
        self.exact, self.folded = {}, {}
        for actor in self.actors.values():
            for name in (actor.name, *actor.aliases):
                key = tuple(word.replace(".", "") for word, _, _ in _tokens(name))
                if not key:
                    continue
                if _is_acronym(name):
                    self.exact.setdefault(key, actor.id)
                else:
                    self.folded.setdefault(tuple(word.casefold() for word in key), actor.id)
        self.longest = max((len(key) for key in (*self.exact, *self.folded)), default=0)
        self.first = {key[0].casefold() for key in (*self.exact, *self.folded)}
        self.state_by_country = {}
        for actor in self.actors.values():
            if actor.kind == "state" and actor.country:
                self.state_by_country.setdefault(actor.country, actor.id)

    @classmethod
    def load(cls):
        """Every actor of the database, in one query."""
        from .models import Actor

        rows = Actor.objects.values_list("id", "name", "kind", "country", "parent_id", "aliases")
        return cls(
            KnownActor(id, name, kind, country or "", parent, tuple(a for a in aliases or () if isinstance(a, str)))
            for id, name, kind, country, parent, aliases in rows
        )

    def find(self, text):
        """Mentions in order of appearance, overlaps resolved to the longest name."""
        tokens = _tokens(text)
        words = [word.replace(".", "") for word, _, _ in tokens]
        folded = [word.casefold() for word in words]
        # run[i]: how many tokens from i on are joined by spaces or hyphens only, as a name's words are.
        run = [1] * len(tokens)
        for i in range(len(tokens) - 2, -1, -1):
            if _NAME_GAP.fullmatch(text, tokens[i][2], tokens[i + 1][1]):
                run[i] = run[i + 1] + 1
        mentions, index = [], 0
        while index < len(tokens):
            found = self._match_at(tokens, words, folded, index, run[index]) if folded[index] in self.first else None
            if found:
                actor_id, length = found
                start, end = tokens[index][1], tokens[index + length - 1][2]
                mentions.append(Mention(actor_id, start, end, text[start:end]))
                index += length
                continue
            demonym = self._demonym_at(tokens, index)
            if demonym:
                word, start, end = tokens[index]
                mentions.append(Mention(demonym, start, end, word))
            index += 1
        return mentions

    def _match_at(self, tokens, words, folded, index, run):
        for length in range(min(self.longest, run), 0, -1):
            key = tuple(words[index : index + length])
            if key in self.exact:
                return self.exact[key], length
            key = tuple(folded[index : index + length])
            if key in self.folded and tokens[index][0][:1].isupper():
                return self.folded[key], length
        return None

    def _demonym_at(self, tokens, index):
        word = tokens[index][0]
        state = self.state_by_country.get(DEMONYMS.get(word, ""))
        if not state:
            return None
        following = [w for w, _, _ in tokens[index + 1 : index + 4]]
        if following[:1] and following[0].lower() in _DEMONYM_NOUNS:
            return state
        # "Russian and U.S. diplomats": the adjective shares the noun with the next one.
        if len(following) >= 3 and following[0] == "and" and following[2].lower() in _DEMONYM_NOUNS:
            return state
        return None

    def get(self, actor_id):
        return self.actors.get(actor_id)

    def state_of(self, actor_id):
        """The state an actor belongs to, following parents; None for companies and the like."""
        seen = set()
        while actor_id and actor_id not in seen:
            seen.add(actor_id)
            actor = self.actors.get(actor_id)
            if actor is None:
                return None
            if actor.kind == "state":
                return actor.id
            actor_id = actor.parent
        return None

    def side(self, actor_id):
        """What the actor stands for in a comparison of sides: its country, or itself."""
        actor = self.actors.get(actor_id)
        return (actor.country if actor and actor.country else None) or actor_id

    def is_leader(self, actor_id):
        """A person directly under a state: a head of state or government."""
        actor = self.actors.get(actor_id)
        parent = self.actors.get(actor.parent) if actor and actor.parent else None
        return bool(actor and actor.kind == "person" and parent and parent.kind == "state")


# ---------------------------------------------------------------- event types


@dataclass(frozen=True)
class TypeGuess:
    code: str
    anchor: int  # where the family's first keyword starts: who acts comes before it, who is acted on after
    keywords: tuple
    status: str | None = None  # a status the choice itself implies ("proposed" for a proposed meeting)


def _keyword_pattern(keyword):
    words = re.findall(r"[^\W_]+", keyword.lower())
    if not words:
        return None, 0, ()
    parts = [
        rf"{re.escape(word[:-1])}(?:y|ies)" if word.endswith("y") else rf"{re.escape(word)}(?:s|es)?" for word in words
    ]
    # Up to two other words may stand between a keyword's words: "imposed new sanctions", "closure of US airspace".
    pattern = re.compile(r"\b" + r"\W+(?:[^\W_]+\W+){0,2}?".join(parts) + r"\b", re.I)
    stems = tuple(word[:-1] if word.endswith("y") else word for word in words)
    return pattern, len(words), stems


class TypeIndex:
    """Guesses an event type from the keywords each EventType carries (staff edit them in the admin).

    A keyword scores its number of words; a family (`sanctions`, `sanctions.imposed`, ...) scores the sum of
    its types' keywords. The best family wins (ties: the earlier keyword), and within it the best specific
    type. A root with sub-types and no CAMEO code (`sanctions`, `flights`) is a heading of the taxonomy, a
    topic rather than an event: its keywords support its sub-types but never win alone.

    `rows` are (code, name, keywords, CAMEO code).
    """

    def __init__(self, rows):
        self.names, self.patterns, cameo = {}, [], {}
        for code, name, keywords, cameo_code in rows:
            self.names[code], cameo[code] = name, cameo_code
            for keyword in keywords if isinstance(keywords, list) else ():
                if isinstance(keyword, str):
                    pattern, weight, stems = _keyword_pattern(keyword)
                    if pattern is not None:
                        self.patterns.append((code, keyword, weight, pattern, stems))
        parents = {code.split(".")[0] for code in self.names if "." in code}
        self.topics = {code for code in parents if not cameo.get(code)}

    @classmethod
    def load(cls):
        """The taxonomy and its keywords, in one query."""
        from .models import EventType

        return cls(EventType.objects.values_list("code", "name", "keywords", "cameo_code"))

    def name(self, code):
        return self.names.get(code, code)

    def hits(self, text, excluded=()):
        """{code: [(start, weight, keyword)]} of the keywords found outside the `excluded` spans."""
        found, lowered = defaultdict(list), text.lower()
        for code, keyword, weight, pattern, stems in self.patterns:
            if not all(stem in lowered for stem in stems):
                continue  # a substring test is a hundred times cheaper than the regular expression
            for match in pattern.finditer(text):
                if not any(a <= match.start() < b for a, b in excluded):
                    found[code].append((match.start(), weight, keyword))
                    break
        return found

    def guess(self, text, excluded=(), ignore=()):
        hits = {code: found for code, found in self.hits(text, excluded).items() if code.split(".")[0] not in ignore}
        families = defaultdict(lambda: [0, len(text)])
        for code, found in hits.items():
            family = families[code.split(".")[0]]
            family[0] += sum(weight for _, weight, _ in found)
            family[1] = min(family[1], *(start for start, _, _ in found))
        eligible = {
            name: score
            for name, score in families.items()
            if any(self._is_event(code) and code.split(".")[0] == name for code in hits)
        }
        if not eligible:
            return None
        ranked = sorted(eligible, key=lambda name: (-eligible[name][0], eligible[name][1]))
        family, status = ranked[0], None
        if family == "proposal":
            # A proposed meeting or talks is that meeting, with status proposed.
            for other in ranked[1:]:
                if other in {"talks", "meeting"}:
                    family, status = other, "proposed"
                    break
        codes = [code for code in hits if code.split(".")[0] == family and self._is_event(code)]
        code = min(codes, key=lambda c: (-sum(w for _, w, _ in hits[c]), min(s for s, _, _ in hits[c])))
        keywords = tuple(k for c in hits if c.split(".")[0] == family for _, _, k in hits[c])
        return TypeGuess(code, eligible[family][1], keywords, status)

    def _is_event(self, code):
        return "." in code or code not in self.topics


# ---------------------------------------------------------------- dates


@dataclass(frozen=True)
class DateGuess:
    start: datetime.date
    precision: str
    end: datetime.date | None = None
    end_precision: str | None = None
    phrase: str = ""  # the article's words it comes from
    qualifier: str = ""  # "late", "earlier", ...: kept for the summary, since precisions are day, month, year
    how: str = "text"  # text, cause, carried, lede, publication


_NUMBER = r"(?:\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DATE_PHRASE = re.compile(
    r"(?<![\w-])"
    r"(?P<prep>(?i:on|in|during|since|by|until|from|of|for|at|over)\s+(?:(?i:the)\s+)?)?"
    r"(?P<qual>(?i:early|mid|late|the\s+end\s+of|end\s+of|the\s+beginning\s+of|beginning\s+of|the\s+start\s+of"
    r"|start\s+of|the\s+middle\s+of|middle\s+of|earlier|later)[\s-]+)?"
    r"(?P<core>"
    rf"(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"|(?P<dmy>{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR})"
    rf"|(?P<mdy>{_MONTH}\s+{_DAY},?\s+{_YEAR})"
    rf"|(?P<my>{_MONTH},?\s+{_YEAR})"
    rf"|(?P<dm>{_DAY}\s+(?:of\s+)?{_MONTH}(?![\w]))"
    rf"|(?P<md>{_MONTH}\s+{_DAY}(?![\w]))"
    r"|(?P<decade>(?i:past|last)\s+(?:(?i:decade)|" + _NUMBER + r"\s+(?i:years)))"
    r"|(?P<relative>(?i:this|last|next)\s+(?i:week|month|year))"
    r"|(?P<ago>(?i:" + _NUMBER + r")\s+(?i:days?|weeks?|months?|years?)\s+(?i:ago))"
    r"|(?P<dayword>(?i:yesterday|today|tomorrow))"
    rf"|(?P<weekday>(?:(?i:last|this|next)\s+)?{_WEEKDAY})"
    rf"|(?P<month>{_MONTH}(?![\w]))"
    rf"|(?P<year>{_YEAR}(?![\w%]|-\d|\.\d))"
    r")(?![\w])"
)
_WORD_NUMBERS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten".split())}


def resolve_date(phrase, published, *, future=False):
    """A date phrase ("last month", "in late 2016", "on Saturday") read against the publication date.

    Returns a DateGuess with the precision the phrase carries, or None when the phrase is not a date or
    needs a publication date that is unknown.
    """
    match = _DATE_PHRASE.fullmatch(phrase.strip())
    return _resolve(match, published, future=future) if match else None


def find_dates(text, published, *, future=False):
    """[(start, end, DateGuess)] for each date phrase of the text that resolves."""
    found = []
    for match in _DATE_PHRASE.finditer(text):
        guess = _resolve(match, published, future=future)
        if guess is not None:
            found.append((match.start(), match.end(), guess))
    return found


def _resolve(match, published, *, future):
    kind = next(name for name in ("iso", "dmy", "mdy", "my", "dm", "md", "decade", "relative", "ago", "dayword",
                                  "weekday", "month", "year") if match[name])  # fmt: skip
    prep, qualifier = (match["prep"] or "").strip(), re.sub(r"\s+", " ", (match["qual"] or "").strip(" -")).lower()
    core = match["core"]
    if kind == "month" and not (prep or qualifier):
        return None  # "May" alone is a verb as often as a month
    phrase = re.sub(r"\s+", " ", match.group()).strip()
    if kind == "decade":
        if published is None:
            return None
        count = core.split()[1]
        years = 10 if count.lower() == "decade" else _WORD_NUMBERS.get(count.lower(), None)
        years = years if years is not None else int(count) if count.isdigit() else 1
        start = datetime.date(max(published.year - years, 1), 1, 1)
        return DateGuess(start, dates.YEAR, datetime.date(published.year, 1, 1), dates.YEAR, phrase, qualifier)
    has_year = bool(re.search(r"\d{4}", core))
    if published is None and not has_year:
        return None
    base = published or datetime.date(2000, 1, 1)
    prefer = "future" if future and kind == "weekday" else None
    parsed = _parse_with_dateparser(core, base, prefer)
    if parsed is None:
        return None
    value, precision = parsed
    if not has_year and kind in {"dm", "md", "month"} and published is not None:
        value = _nearest_year(value, precision, published, future=future)
        if value is None:
            return None
    return DateGuess(value, precision, phrase=phrase, qualifier=qualifier)


def _nearest_year(value, precision, published, *, future):
    """A date without a year: the latest on or before publication, or the next after it for what is to come."""
    try:
        if not future and value > published and precision != dates.YEAR:
            return value.replace(year=value.year - 1)
        if future and dates.period_end(value, precision) < published:
            return value.replace(year=value.year + 1)
    except ValueError:  # 29 February in a year without it
        return None
    return value


@functools.lru_cache(maxsize=64)
def _date_parser(base, prefer):
    from dateparser.date import DateDataParser  # loading dateparser costs half a second: only when needed

    settings = {
        "RELATIVE_BASE": datetime.datetime.combine(base, datetime.time()),
        # Without these, a missing day or month is filled from the base date ("February 2022" is the 9th).
        "PREFER_DAY_OF_MONTH": "first",
        "PREFER_MONTH_OF_YEAR": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    if prefer:
        settings["PREFER_DATES_FROM"] = prefer
    # English only: ten times faster, and "last month" is found only then.
    return DateDataParser(languages=["en"], settings=settings)


@functools.lru_cache(maxsize=4096)
def _parse_with_dateparser(text, base, prefer):
    """(first day, precision) of a date text, or None; dateparser's weeks become months."""
    try:
        data = _date_parser(base, prefer).get_date_data(text)
    except (ValueError, OverflowError, TypeError, KeyError):
        return None
    if data is None or data.date_obj is None:
        return None
    value = data.date_obj.date()
    period = data.period or dates.DAY
    if period == "week":
        period = dates.MONTH  # the contract has no week precision: the month of the day it names
    if period not in dates.PRECISIONS:
        period = dates.DAY
    if period == dates.MONTH:
        value = value.replace(day=1)
    elif period == dates.YEAR:
        value = value.replace(month=1, day=1)
    return value, period


def coarser(guess):
    """The same date one precision coarser (day to month, month to year)."""
    if guess.precision == dates.DAY:
        return replace(guess, start=guess.start.replace(day=1), precision=dates.MONTH, end=None, end_precision=None)
    return replace(guess, start=guess.start.replace(month=1, day=1), precision=dates.YEAR, end=None, end_precision=None)


# ---------------------------------------------------------------- what a sentence says

_FUTURE = re.compile(r"\b(?:will|shall)\b|\b(?:is|are) (?:set|due|scheduled|expected|going) to\b|\bplans? to\b", re.I)
_ONGOING = re.compile(r"\b(?:currently|underway|under way|ongoing|now)\b|\b(?:is|are|am)\s+(?:\w+\s+)?\w+ing\b", re.I)
# "has said", "have been conveyed"; not "has to", "has a ...".
_PERFECT = re.compile(
    r"\b(?:has|have)\s+(?:(?:not|never|already|just|also|now)\s+)*(?:been\s+)?(?!(?:to|a|an|the|no)\b)\w+", re.I
)
_PRESENT = re.compile(r"\b(?:says|sees|believes|thinks|expects|tells|warns|insists|argues|is|are)\b", re.I)
STATUS_RULES = (
    ("cancelled", re.compile(r"\b(?:did not|didn't|will not|won't) take place\b|\bcancel+(?:ed|ation)\b"
                             r"|\bcalled off\b|\bscrapped\b", re.I)),
    ("postponed", re.compile(r"\bpostpone(?:d|ment)?\b|\bput on hold\b|\bdelayed\b|\bpushed back\b", re.I)),
    ("scheduled", re.compile(r"\bwill (?:hold|meet|visit|travel|sign|take place|be held)\b|\bscheduled\b"
                             r"|\b(?:is|are) (?:set|due|expected) to\b", re.I)),
    ("proposed", re.compile(r"\bpropos(?:ed|es|e)\b|\bplanned\b|\bplans? to\b|\binvit(?:ed|es|ation)\b"
                            r"|\boffered\b|\bsuggested\b|\bsees? (?:a )?\W*good chance\b|\bchance of (?:a )?meeting\b"
                            r"|\bcould (?:meet|be held|take place|hold)\b", re.I)),
)  # fmt: skip
# Verbs of saying after a name. Not "declared" (a ministry declaring diplomats persona non grata acts, it does
# not report), nor "states", "notes", "reports", which are nouns as often.
_SPEECH = (
    r"(?:said|says|told|tells|added|adds|stressed|stresses|warned|warns|noted|stated|claimed|claims"
    r"|announced|announces|insisted|insists|argued|argues|explained|explains|confirmed|confirms|wrote|writes"
    r"|emphasi[sz]ed|emphasi[sz]es|reported)"
)
_BELIEF = r"(?:sees|saw|believes|believed|thinks|thought|expects|expected|hopes|hoped)"
_OPINION = re.compile(r"\b(?:must|should|would|could|might|may|needs? to|ought to)\b")
_CAUSE = re.compile(r"\b(?:after|since|following|in response to|in retaliation for|because of)\b", re.I)
_RECIPROCAL = re.compile(r"\b(?:each other|one another|mutual(?:ly)?|tit-for-tat)\b", re.I)
_ANAPHORA = re.compile(r"\b(?:the|this|that|these|those|such)\s+$", re.I)


def detect_status(text):
    """The status a sentence implies: the first rule that matches, in the order cancelled, postponed,
    scheduled, proposed; None (occurred) otherwise."""
    for status, pattern in STATUS_RULES:
        if pattern.search(text):
            return status
    return None


def tense(text):
    """future, present (ongoing), perfect or past: how a clause places its event against publication."""
    if _FUTURE.search(text):
        return "future"
    if _ONGOING.search(text):
        return "present"
    if _PERFECT.search(text):
        return "perfect"
    if _PRESENT.search(text) and not re.search(r"\b(?:was|were|had|did)\b|\b\w+ed\b", text):
        return "present"
    return "past"


@dataclass(frozen=True)
class Claim:
    actor: str
    mention: Mention
    phrase: str
    kind: str  # "speech" ("Lavrov said") or "belief" ("Trump sees"): a believer is also a party


def find_claimant(text, mentions):
    """Who the sentence attributes its content to, or None when the article says it in its own voice.

    "with Moscow saying", "according to Lavrov", "Lavrov (has) said/told/warned", "..., said Lavrov",
    a headline's "... – Lavrov"; then belief, "Trump sees". Speech wins over belief, and the last
    attribution in the sentence over earlier ones.
    """
    speech, belief = [], []
    for mention in mentions:
        before, after = text[: mention.start], text[mention.end :]
        if match := re.match(rf"\s+(?:(?:has|have|had)\s+)?(?:also\s+)?{_SPEECH}\b", after, re.I):
            speech.append(Claim(mention.actor, mention, mention.text + match.group(), "speech"))
        elif (lead := re.search(r"\b(?:with|as)\s+(?:the\s+)?$", before, re.I)) and (
            match := re.match(r"\s+(?:saying|claiming|insisting|arguing|stating)\b", after, re.I)
        ):
            speech.append(Claim(mention.actor, mention, lead.group() + mention.text + match.group(), "speech"))
        elif lead := re.search(r"\baccording to\s+(?:the\s+)?$", before, re.I):
            speech.append(Claim(mention.actor, mention, lead.group() + mention.text, "speech"))
        elif (lead := re.search(rf"\b{_SPEECH}\s+(?:the\s+)?$", before, re.I)) and re.match(
            r"\s*(?:[,.;:!?]|$)", after
        ):
            # "..., said Lavrov." but not "Trump said Putin wants peace".
            speech.append(Claim(mention.actor, mention, lead.group() + mention.text, "speech"))
        elif re.search(r"\s[–—-]\s*$", before) and not re.search(r"\w", after):
            speech.append(Claim(mention.actor, mention, "– " + mention.text, "speech"))
        elif match := re.match(rf"\s+{_BELIEF}\b", after, re.I):
            belief.append(Claim(mention.actor, mention, mention.text + match.group(), "belief"))
    found = speech or belief
    return found[-1] if found else None


def cause_spans(text):
    """Clauses about an earlier event ("after the escalation ... in February 2022", "in response to ..."):
    from the trigger to the next comma, semicolon or dash, or the end."""
    spans = []
    for match in _CAUSE.finditer(text):
        end = re.search(r"[,;:—–]|\s-\s", text[match.end() :])
        spans.append((match.start(), match.end() + end.start() if end else len(text)))
    return spans


def _inside(position, spans):
    return any(a <= position < b for a, b in spans)


def places(text, mentions, actors):
    """Mentions of states that say where ("in Saudi Arabia and Türkiye", "at the Kremlin")."""
    result, previous = [], None
    for mention in mentions:
        actor = actors.get(mention.actor)
        if actor is None or actor.kind != "state":
            previous = None
            continue
        before = text[: mention.start]
        listed = previous is not None and re.fullmatch(r"\s*(?:,|and|,\s*and)\s*", text[previous.end : mention.start])
        if re.search(r"\b(?:in|at)\s+(?:the\s+)?$", before, re.I) or listed:
            result.append(mention)
            previous = mention
        else:
            previous = None
    return result


_NOT_PLACES = frozenset(
    "January February March April May June July August September October November December Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday The A An His Her Their Its This That".split()
)


def _unknown_place(text):
    """A capitalised place after 'in' or 'at' that no actor names ("talks in Istanbul")."""
    for match in re.finditer(r"\b(?:in|at)\s+(?P<place>[A-ZÀ-ÝİŞ][\w’'-]+(?:\s+[A-Z][\w-]+)?)", text):
        words = match["place"].split()
        if words[0] not in _NOT_PLACES and not re.match(r"\d", words[0]):
            return " ".join(w for w in words if w not in _NOT_PLACES)
    return None


# ---------------------------------------------------------------- proposals


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


def propose(content, *, url=None, published=None, publisher=None, actors=None, types=None):
    """Draft events proposed from an article (HTML or plain text).

    `actors` and `types` default to the database's (one query each); pass an ActorIndex and a TypeIndex to
    reuse them over many articles. Raises ExtractionError, with the reason, for input that is not an article.
    """
    article = read_article(content, url=url, published=published, publisher=publisher)
    actors = actors if actors is not None else ActorIndex.load()
    types = types if types is not None else TypeIndex.load()
    proposals, skipped, lede_seen = [], [], False
    for paragraph in article.paragraphs:
        carried = None
        for sentence in split_sentences(paragraph.text):
            lede = not paragraph.linked and not lede_seen
            lede_seen = lede_seen or not paragraph.linked
            found, reason, dated = _propose_sentence(sentence, article, actors, types, lede, carried, paragraph.linked)
            proposals += found
            if reason:
                skipped.append(Skipped(sentence, reason))
            carried = dated or carried
    proposals = _merge(proposals, actors)
    _name(proposals, actors, types, article)
    return Extraction(article, proposals, skipped)


def _propose_sentence(sentence, article, actors, types, lede, carried, linked):
    """([Proposal], reason skipped or None, the date the sentence gives for the next ones)."""
    causes = cause_spans(sentence)
    mentions = actors.find(sentence)
    claim = find_claimant(sentence, mentions)
    guess = types.guess(sentence, excluded=causes, ignore={"statement"} if claim else ())
    if claim and (guess is None or _OPINION.search(sentence)) and "statement" in types.names:
        guess = TypeGuess("statement", claim.mention.start, ())
    statement = guess is not None and guess.code == "statement"
    status = "occurred" if statement or guess is None else detect_status(sentence) or guess.status or "occurred"
    # What is still to come reads "on Saturday" as the next Saturday, what happened as the last.
    future = status in {"scheduled", "proposed", "postponed"}
    found_dates = find_dates(sentence, article.published, future=future)
    own = [(s, e, d) for s, e, d in found_dates if not _inside(s, causes)]
    dated = min(own, key=lambda item: abs(item[0] - (guess.anchor if guess else 0)))[2] if own else None
    if guess is None:
        return [], None, dated
    if not statement and not found_dates and _ANAPHORA.search(sentence[: guess.anchor]):
        return [], "refers back to an event named earlier, without a date of its own", dated
    active = [m for m in mentions if not _inside(m.start, causes)]
    if not active:
        reason = "no actor Chancery knows" if not mentions else "its actors are all in a clause about another event"
        return [], reason, dated
    # A statement's time is its verb of saying ("has said", "says"); another event's, its own clause.
    clause = claim.phrase if statement and claim else _clause(sentence, guess.anchor)
    date = _date_for(
        dated,
        [_cause_date(sentence, s, e, d, causes) for s, e, d in found_dates if _inside(s, causes)],
        tense(clause),
        status,
        lede,
        carried,
        article.published,
    )
    if date is None:
        return [], "no date in the sentence and no publication date", dated
    code = guess.code
    roles, locations = _roles(sentence, active, claim, code, guess.anchor, actors)
    if code == "meeting" and "meeting.summit" in types.names and sum(map(actors.is_leader, _actors_of(roles))) >= 2:
        code = "meeting.summit"
    if not roles:
        return [], "no actor in a role", dated
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
                claimed_by=claim.actor if claim else None,
                linked=linked,
                notes=_claim_note(claim, actors),
            )
        )
    return proposals, None, dated


def _clause(sentence, anchor):
    """The clause around the anchor: from the previous comma or semicolon to the next full stop."""
    starts = [m.end() for m in re.finditer(r"[,;:]\s", sentence[:anchor])]
    start = starts[-1] if starts else 0
    end = re.search(r"[.;!?](?:\s|$)", sentence[anchor:])
    return sentence[start : anchor + end.start() if end else len(sentence)] if start < anchor else sentence


def _date_for(own, causes, clause_tense, status, lede, carried, published):
    """The sentence's date, by the first rule that gives one (docs/extraction.md, "Dates")."""
    if own:
        return own
    if lede and clause_tense in {"present", "perfect"} and published and status == "occurred":
        return DateGuess(published, dates.DAY, how="lede")
    if causes:
        return replace(coarser(causes[0]), how="cause")
    if carried and clause_tense == "past":
        return replace(carried, how="carried")
    if published is None:
        return None
    if clause_tense == "present" and status == "occurred":
        return DateGuess(published.replace(day=1), dates.MONTH, how="publication")
    return DateGuess(published.replace(month=1, day=1), dates.YEAR, how="publication")


def _roles(sentence, mentions, claim, code, anchor, actors):
    """[(actor, role)] and the locations [{name, country, host}] of a sentence's event."""
    family = code.split(".")[0]
    where = places(sentence, mentions, actors)
    speaker = claim.mention if claim and claim.kind == "speech" else None
    agents = [m for m in mentions if re.search(r"\bby\s+(?:the\s+)?$", sentence[: m.start], re.I)]
    others = [m for m in mentions if m not in where and m is not speaker and m not in agents]
    roles = []

    def add(actor_id, role):
        if actor_id and (actor_id, role) not in roles:
            roles.append((actor_id, role))

    if family == "statement":
        # The speaker; without an attribution ("Russia issued a statement"), who comes before the keyword.
        before = [m.actor for m in others if m.start < anchor]
        speaker = claim.actor if claim else (before or [m.actor for m in others] or [None])[0]
        add(speaker, "initiator")
        own_side = actors.side(speaker) if speaker else None
        for mention in mentions:
            actor = actors.get(mention.actor)
            if actor and actor.kind == "state" and actors.side(actor.id) != own_side and mention not in agents:
                add(actor.id, "target")
    elif family in SYMMETRIC_FAMILIES:
        # "Moscow proposed a meeting between Putin and Trump": those between meet, the one before proposes.
        between = _between(sentence, others)
        for mention in agents:
            add(mention.actor, "initiator")
        for mention in others:
            if len(between) >= 2 and mention not in between and mention.start < anchor:
                add(mention.actor, "initiator")
            elif mention.actor not in _actors_of(roles):
                add(mention.actor, "participant")
        sides = {actors.side(a) for a in _actors_of(roles)}
        if claim and len(sides) < 2 and actors.side(claim.actor) not in sides:
            # Talks have two sides; the one telling of them, when not named otherwise, is the other.
            add(actors.state_of(claim.actor) or claim.actor, "participant")
    else:
        initiators = [m for m in agents] or [m for m in others if m.start < anchor]
        targets = [m for m in others if m not in initiators and (agents or m.start >= anchor)]
        for mention in initiators:
            add(mention.actor, "initiator")
        if not initiators and claim:
            # "Our proposals ...", Lavrov said: the speaker's state; "Russia said it expelled ...": the speaker.
            first_person = re.search(r"\b(?:we|our)\b", sentence, re.I)
            add(actors.state_of(claim.actor) if first_person else claim.actor, "initiator")
        if family in STATE_ACT_FAMILIES:
            for actor_id in list(_actors_of(roles, "initiator")):
                add(actors.state_of(actor_id), "initiator")
        initiator_ids = set(_actors_of(roles, "initiator"))
        for mention in targets:
            if mention.actor not in initiator_ids:
                add(mention.actor, "target")
        if _RECIPROCAL.search(sentence):
            for actor_id in initiator_ids:
                add(actor_id, "target")
    locations = _locations(sentence, where, family, actors)
    hosts = {location.get("host") for location in locations}
    roles = [(a, r) for a, r in roles if a not in hosts or r != "participant"]
    return roles, locations


def _between(sentence, mentions):
    """The mentions listed after "between" ("between Vladimir Putin and Donald Trump")."""
    match = re.search(r"\bbetween\s+", sentence)
    if not match:
        return []
    listed, position = [], match.end()
    for mention in mentions:
        if mention.start < position:
            continue
        separator = r"\s*(?:,|and|,\s*and|&)\s+(?:the\s+)?" if listed else r"(?:the\s+)?"
        if not re.fullmatch(separator, sentence[position : mention.start]):
            break
        listed.append(mention)
        position = mention.end
    return listed


def _locations(sentence, where, family, actors):
    """Where a meeting, talks or an agreement took place: one location per place named (each place is its
    own event: "two rounds of talks in Saudi Arabia and Türkiye"). Other events get none: "the US Embassy in
    Moscow" says where the embassy is, not where an expulsion happened."""
    if family not in SYMMETRIC_FAMILIES:
        return []
    result = []
    for mention in where:
        actor = actors.get(mention.actor)
        location = {"name": mention.text[:200], "country": actor.country or None, "lat": None, "lon": None}
        result.append({**location, "host": actor.id})
    if not result:
        name = _unknown_place(sentence)
        if name:
            result.append({"name": name[:200], "country": None, "lat": None, "lon": None})
    return result


def _actors_of(roles, *wanted):
    return [actor for actor, role in roles if not wanted or role in wanted]


def _ordered(participants):
    unique = dict.fromkeys(participants)
    return sorted(unique, key=lambda p: (ROLE_ORDER.index(p[1]), p[0]))


def _cause_date(sentence, start, end, date, causes):
    """A date inside a clause about an earlier event, its phrase widened to the clause ("after ... 2022")."""
    clause_start = next(a for a, b in causes if a <= start < b)
    return replace(date, phrase=_squeeze(sentence[clause_start:end]))


def _claim_note(claim, actors):
    if claim is None:
        return []
    name = actors.get(claim.actor).name
    return [f"The article attributes this to {name} (“{_squeeze(claim.phrase)}”)."]


# ---------------------------------------------------------------- merging, naming

_DATE_RANK = {"text": 0, "carried": 1, "cause": 2, "lede": 3, "publication": 4}


def _merge(proposals, actors):
    """Proposals that say the same thing become one: the best-dated sentence stays, as the quote.

    Statements merge by speaker (an interview quoted in several sentences); other events by family, status
    and the sides taking part, when their dates agree (one period contains the other, or one is a guess).
    Headlines of linked articles never merge with the article's own sentences.
    """
    merged = []
    for proposal in proposals:
        for index, kept in enumerate(merged):
            if _same_event(kept, proposal, actors):
                better = min(kept, proposal, key=_quality)
                worse = proposal if better is kept else kept
                better.also += 1 + worse.also
                merged[index] = better
                break
        else:
            merged.append(proposal)
    return merged


def _quality(proposal):
    return (_DATE_RANK[proposal.date.how], dates.PRECISIONS.index(proposal.date.precision))


def _same_event(a, b, actors):
    if a.linked or b.linked or a.type.split(".")[0] != b.type.split(".")[0]:
        return False
    if a.type == "statement":
        return a.actors("initiator") == b.actors("initiator")
    if a.status != b.status:
        return False
    if {actors.side(x) for x in a.actors()} != {actors.side(x) for x in b.actors()}:
        return False
    if "publication" in {a.date.how, b.date.how} or "lede" in {a.date.how, b.date.how}:
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


# ---------------------------------------------------------------- the dataset


def proposals_to_dataset(extraction):
    """The proposals as a dataset document of draft events, for `events.dataset.import_document`.

    The source is the article; when its URL is already a source in the database, the stored title,
    publisher and date are used, so that importing the proposals never rewrites curated metadata.
    Without a URL the events carry no source (a draft may), and each summary keeps the quote.
    """
    article = extraction.article
    source = _source_metadata(article) if article.url else None
    events = []
    for proposal in extraction.proposals:
        date = proposal.date
        events.append(
            {
                "id": proposal.id,
                "title": proposal.title,
                "summary": proposal.summary,
                "type": proposal.type,
                "status": proposal.status,
                "start": dates.format_partial_date(date.start, date.precision),
                "start_precision": date.precision,
                "end": dates.format_partial_date(date.end, date.end_precision) if date.end else None,
                "end_precision": date.end_precision if date.end else None,
                "participants": [{"actor": actor, "role": role} for actor, role in proposal.participants],
                "location": proposal.location,
                "sources": [{**source, "quote": proposal.quote, "claimed_by": proposal.claimed_by}] if source else [],
                "tags": [],
                "related": [],
                "review_state": "draft",
            }
        )
    return {"actors": [], "events": events}


def _source_metadata(article):
    from .models import Source, normalize_url

    stored = Source.objects.filter(url=normalize_url(article.url)).first()
    if stored is not None:
        return {
            "url": stored.url,
            "title": stored.title,
            "publisher": stored.publisher,
            "published": stored.published.isoformat() if stored.published else None,
        }
    return {
        "url": article.url,
        "title": article.title,
        "publisher": article.publisher or "",
        "published": article.published.isoformat() if article.published else None,
    }
