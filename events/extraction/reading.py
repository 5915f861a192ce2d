"""Reading an article: HTML through trafilatura or plain text, without page furniture."""

import datetime
import logging
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .. import dates
from .dating import _FULL_DATE, _parse_with_dateparser
from .errors import MAX_CHARS, ExtractionError


@dataclass(frozen=True)
class Paragraph:
    text: str
    linked: bool = False  # the headline of another article ("READ MORE: ..."), not this article's own words
    headline: bool = False  # this article's own headline


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: tuple
    url: str | None = None
    published: datetime.date | None = None
    publisher: str | None = None
    language: str = "en"  # "en" or "ru": set by `propose` (language.py)
    place: str | None = None  # the dateline's place ("MOSCOW"), cut from the first paragraph

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
    # Russian agencies': "МОСКВА, 31 авг — РИА Новости. ", "САНКТ-ПЕТЕРБУРГ, 28 июля. /ТАСС/. ".
    r"|^(?P<place_ru>[А-ЯЁ][А-ЯЁ .-]{1,40}[А-ЯЁ]),\s*\d{1,2}\s+[а-яё]{3,8}\.?\s*(?:[—–-]\s*)?"
    r"/?(?:ТАСС|РИА\s+Новости|Интерфакс|ПРАЙМ|Спутник)/?\.\s+"
)


def looks_like_html(content):
    return bool(_HTML.search(content[:5000]))


def read_article(content, *, url=None, published=None, publisher=None):
    """The article's title, body paragraphs and metadata; arguments win over what the page says."""
    from ..dataset import SURROGATE

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
    paragraphs, dateline, place = _strip_dateline(paragraphs)
    try:
        found_url = _checked_url(found["url"]) if found.get("url") else None
    except ExtractionError:
        found_url = None
    return Article(
        title=_squeeze(title)[:500],
        paragraphs=tuple(paragraphs),
        url=url or found_url,
        published=published or found.get("published") or stamp or dateline,
        place=place,
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
    """The first paragraph without its dateline; the dateline's date when it gives a year, and its place."""
    for index, paragraph in enumerate(paragraphs):
        if paragraph.linked:
            continue
        match = _DATELINE.match(paragraph.text)
        if not match:
            return paragraphs, None, None
        rest = paragraph.text[match.end() :]
        found = _explicit_date(match["date"]) if match["date"] else None
        place = match["place"] or match["place_ru"]
        return [*paragraphs[:index], Paragraph(rest), *paragraphs[index + 1 :]], found, place.title()
    return paragraphs, None, None


def _explicit_date(text):
    """A date written with its day, month and year, or None."""
    text = text.strip()
    if not re.search(r"\d{4}", text):
        return None
    parsed = _parse_with_dateparser(text, datetime.date(2000, 1, 1), None)
    return parsed[0] if parsed and parsed[1] == dates.DAY else None
