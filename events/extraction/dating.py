"""Date phrases read against the publication date."""

import datetime
import functools
import re
from dataclasses import dataclass, replace

from .. import dates

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# A span of days reads as its first: "10-12 Sep 2015", "September 5-6".
_DAYS = rf"{_DAY}(?:\s*[-–]\s*{_DAY})?"
_YEAR = r"(?:19|20)\d{2}"
_FULL_DATE = rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}|{_MONTH}\s+{_DAY},?\s+{_YEAR})"


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
    rf"|(?P<dmy>{_DAYS}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR})"
    rf"|(?P<mdy>{_MONTH}\s+{_DAYS},?\s+{_YEAR})"
    rf"|(?P<my>{_MONTH},?\s+{_YEAR})"
    rf"|(?P<dm>{_DAYS}\s+(?:of\s+)?{_MONTH}(?![\w]))"
    rf"|(?P<md>{_MONTH}\s+{_DAYS}(?![\w]))"
    r"|(?P<decade>(?i:past|last)\s+(?:(?i:decade)|" + _NUMBER + r"\s+(?i:years)))"
    r"|(?P<relative>(?i:this|last|next)\s+(?i:week|month|year))"
    r"|(?P<ago>(?i:" + _NUMBER + r")\s+(?i:days?|weeks?|months?|years?)\s+(?i:ago))"
    r"|(?P<dayword>(?i:yesterday|today|tomorrow))"
    rf"|(?P<weekday>(?:(?i:last|this|next)\s+)?{_WEEKDAY})"
    rf"|(?P<month>{_MONTH}(?![\w]))"
    rf"|(?P<year>(?<!/){_YEAR}(?![\w%/]|-\d|\.\d))"
    r")(?![\w])"
)
_WORD_NUMBERS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten".split())}


_YEAR_AS_NAME = re.compile(r"\b(?:the|a|an|its|his|her|their|this|that)\s+$", re.I)


def resolve_date(phrase, published, *, future=False):
    """A date phrase ("last month", "in late 2016", "on Saturday") read against the publication date.

    Returns a DateGuess with the precision the phrase carries, or None when the phrase is not a date or
    needs a publication date that is unknown.
    """
    match = _DATE_PHRASE.fullmatch(phrase.strip())
    return _resolve(match, published, future=future) if match else None


def find_dates(text, published, *, future=False, language="en"):
    """[(start, end, DateGuess)] for each date phrase of the text that resolves."""
    if language == "ru":
        return _find_russian_dates(text, published, future=future)
    found = []
    for match in _DATE_PHRASE.finditer(text):
        if match["year"] and not match["prep"] and _YEAR_AS_NAME.search(text, 0, match.start()):
            # "the 2015 decree", "its 2018 summit": the year names a thing, it does not date the event.
            if re.match(r"\s+(?-i:[a-z])", text[match.end() :]):
                continue
        guess = _resolve(match, published, future=future)
        if guess is not None:
            found.append((match.start(), match.end(), guess))
    return found


def _resolve(match, published, *, future):
    kind = next(name for name in ("iso", "dmy", "mdy", "my", "dm", "md", "decade", "relative", "ago", "dayword",
                                  "weekday", "month", "year") if match[name])  # fmt: skip
    prep, qualifier = (match["prep"] or "").strip(), re.sub(r"\s+", " ", (match["qual"] or "").strip(" -")).lower()
    core = re.sub(
        r"(?<![\d-])(\d{1,2}(?:st|nd|rd|th)?)\s*[-–]\s*\d{1,2}(?:st|nd|rd|th)?(?![\d-])", r"\1", match["core"]
    )
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
    if kind == "weekday" and published is not None and core.split()[0].lower() not in ("last", "this", "next"):
        day = _weekday(published, _WEEKDAYS.index(core.capitalize()), future=future)
        return DateGuess(day, dates.DAY, phrase=phrase, qualifier=qualifier)
    base = published or datetime.date(2000, 1, 1)
    prefer = "future" if future and kind == "weekday" else None
    parsed = _parse_with_dateparser(core, base, prefer)
    if parsed is None:
        return None
    value, precision = parsed
    if not has_year and kind in {"dm", "md", "month"} and published is not None:
        # "consent to resume flights from March 25" said on 18 March: a start announced a few weeks ahead of its
        # day is that day, whatever the tense of the announcement.
        soon = kind != "month" and prep.lower() == "from" and _within_weeks(value, published)
        value = _nearest_year(value, precision, published, future=future or soon)
        if value is None:
            return None
    return DateGuess(value, precision, phrase=phrase, qualifier=qualifier)


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _weekday(published, weekday, *, future):
    """The day of that name on or before publication; for what is still to come, on or after it: "talks resume
    on Wednesday" written on a Wednesday are that day, not a week later."""
    if future:
        return published + datetime.timedelta(days=(weekday - published.weekday()) % 7)
    return published - datetime.timedelta(days=(published.weekday() - weekday) % 7)


# ---------------------------------------------------------------- Russian

_RU_MONTHS = ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр")
_RU_MONTH = r"(?P<month>января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
_RU_MONTH_IN = r"(?P<month_in>январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|декабре)"
_RU_WEEKDAYS = ("понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень")
_RU_DATE = re.compile(
    r"(?<![\w-])(?:"
    rf"(?P<day>\d{{1,2}})(?:-го)?\s+{_RU_MONTH}(?:\s+(?P<year>(?:19|20)\d{{2}})(?:\s*(?:года|г\.))?)?"
    rf"|(?P<in>в|во)\s+(?:{_RU_MONTH_IN}(?:\s+(?P<month_year>(?:19|20)\d{{2}})\s+года)?"
    r"|(?P<weekday>понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)"
    r"|(?P<year_in>(?:19|20)\d{2})(?:\s+году|-м|\s+г\.))"
    r"|(?P<relative>(?:в|на)\s+(?:прошлом|этом|текущем|следующем|минувшем|прошлой|этой|следующей|минувшей)"
    r"\s+(?:месяце|году|неделе))"
    r"|(?P<dayword>позавчера|вчера|сегодня|завтра|послезавтра)"
    r"|(?P<year_gen>(?:19|20)\d{2})\s+(?:года|г\.)"
    r")(?![\w-])",
    re.I,
)


def _find_russian_dates(text, published, *, future):
    found = []
    for match in _RU_DATE.finditer(text):
        guess = _resolve_russian(match, published, future=future)
        if guess is not None:
            found.append((match.start(), match.end(), guess))
    return found


def _resolve_russian(match, published, *, future):
    """A Russian date phrase: "15 мая", "в среду", "в прошлом месяце", "в 2022 году", "вчера"."""
    phrase = re.sub(r"\s+", " ", match.group()).strip()
    year = int(match["year"] or match["month_year"] or match["year_in"] or match["year_gen"] or 0) or None
    if match["year_in"] or match["year_gen"]:
        return DateGuess(datetime.date(year, 1, 1), dates.YEAR, phrase=phrase)
    if published is None and year is None:
        return None
    try:
        if match["day"]:
            month = _ru_month(match["month"])
            if year:
                return DateGuess(datetime.date(year, month, int(match["day"])), dates.DAY, phrase=phrase)
            value = _nearest_year(datetime.date(published.year, month, int(match["day"])), dates.DAY, published,
                                  future=future)  # fmt: skip
            return DateGuess(value, dates.DAY, phrase=phrase) if value else None
        if match["month_in"]:
            month = _ru_month(match["month_in"])
            if year:
                return DateGuess(datetime.date(year, month, 1), dates.MONTH, phrase=phrase)
            value = _nearest_year(datetime.date(published.year, month, 1), dates.MONTH, published, future=future)
            return DateGuess(value, dates.MONTH, phrase=phrase) if value else None
    except ValueError:  # "31 февраля"
        return None
    if match["weekday"]:
        weekday = next(i for i, stem in enumerate(_RU_WEEKDAYS) if match["weekday"].lower().startswith(stem))
        return DateGuess(_weekday(published, weekday, future=future), dates.DAY, phrase=phrase)
    if match["dayword"]:
        shift = {"позавчера": -2, "вчера": -1, "сегодня": 0, "завтра": 1, "послезавтра": 2}[match["dayword"].lower()]
        return DateGuess(published + datetime.timedelta(days=shift), dates.DAY, phrase=phrase)
    words = match["relative"].lower().split()
    shift = {"прошлом": -1, "прошлой": -1, "минувшем": -1, "минувшей": -1, "следующем": 1, "следующей": 1}
    step = shift.get(words[1], 0)
    if words[2] == "году":
        return DateGuess(datetime.date(published.year + step, 1, 1), dates.YEAR, phrase=phrase)
    if words[2] == "месяце":
        first = published.replace(day=1)
        value = (first - datetime.timedelta(days=1)).replace(day=1) if step < 0 else first
        if step > 0:
            value = (first + datetime.timedelta(days=32)).replace(day=1)
        return DateGuess(value, dates.MONTH, phrase=phrase)
    # A week is coarsened to the month of its day, as for English.
    return DateGuess((published + datetime.timedelta(days=7 * step)).replace(day=1), dates.MONTH, phrase=phrase)


def _ru_month(word):
    word = word.lower()
    return next(i + 1 for i, stem in enumerate(_RU_MONTHS) if word.startswith(stem) and (stem != "ма" or word[2] == "я"
                                                                                       or word[2] == "е"))  # fmt: skip


def _within_weeks(value, published, days=31):
    """Whether this year's day falls within a month after publication."""
    return 0 < (value - published).days <= days


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
