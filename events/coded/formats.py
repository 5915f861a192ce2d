"""Reading the machine-coded datasets' files: GDELT 2.0's events export, POLECAT's PLOVER JSON, ACLED's CSV.

Each reader yields, a row at a time, a `Coded` event (what the row says, in the dataset's own terms,
with Chancery's type if its codes have one: codes.py) or a `BadRow` (where, and why it cannot be
read). A file that is not of its format at all raises `FormatError` before anything is read from it.
"""

import csv
import datetime
import io
import json
import re
from dataclasses import dataclass, field

from .. import dates
from . import codes

# GDELT 2.0's event table, in the order of its export's 61 tab-separated columns (GDELT Event
# Codebook V2.0); the 58 columns of GDELT 1.0's daily files are another format.
GDELT_COLUMNS = (
    "GLOBALEVENTID SQLDATE MonthYear Year FractionDate "
    "Actor1Code Actor1Name Actor1CountryCode Actor1KnownGroupCode Actor1EthnicCode Actor1Religion1Code "
    "Actor1Religion2Code Actor1Type1Code Actor1Type2Code Actor1Type3Code "
    "Actor2Code Actor2Name Actor2CountryCode Actor2KnownGroupCode Actor2EthnicCode Actor2Religion1Code "
    "Actor2Religion2Code Actor2Type1Code Actor2Type2Code Actor2Type3Code "
    "IsRootEvent EventCode EventBaseCode EventRootCode QuadClass GoldsteinScale NumMentions NumSources "
    "NumArticles AvgTone "
    "Actor1Geo_Type Actor1Geo_FullName Actor1Geo_CountryCode Actor1Geo_ADM1Code Actor1Geo_ADM2Code "
    "Actor1Geo_Lat Actor1Geo_Long Actor1Geo_FeatureID "
    "Actor2Geo_Type Actor2Geo_FullName Actor2Geo_CountryCode Actor2Geo_ADM1Code Actor2Geo_ADM2Code "
    "Actor2Geo_Lat Actor2Geo_Long Actor2Geo_FeatureID "
    "ActionGeo_Type ActionGeo_FullName ActionGeo_CountryCode ActionGeo_ADM1Code ActionGeo_ADM2Code "
    "ActionGeo_Lat ActionGeo_Long ActionGeo_FeatureID DATEADDED SOURCEURL"
).split()

# ACLED's columns an import reads; its exports have more (docs/imports.md).
ACLED_COLUMNS = ("event_id_cnty", "event_date", "time_precision", "sub_event_type", "actor1", "actor2", "country")

ORIGINS = ("gdelt", "polecat", "acled")


class FormatError(Exception):
    """The file is not of the format it was said to be: nothing is read from it."""


@dataclass
class Side:
    """One side of a coded event: an ISO alpha-3 country code (or None) and the dataset's name for it."""

    country: str | None
    name: str = ""


@dataclass
class Coded:
    """One event of a machine-coded dataset, as its row says it."""

    where: str  # "line 12", "record 3"
    origin: str  # gdelt, polecat, acled
    source_id: str  # the dataset's own id of the event
    type: str | None  # Chancery's type, None when the codes fall outside its taxonomy
    codes: dict  # the original codes: {"cameo": "046"}, {"plover": "CONSULT", "mode": "visit"}
    start: str  # YYYY-MM-DD or YYYY-MM
    precision: str
    actors: list  # the initiating side(s): [Side]
    recipients: list  # the other side(s): [Side]
    url: str | None = None
    note: str = ""  # what else the row says that a curator needs: names, scores, notes
    tags: list = field(default_factory=list)


@dataclass
class BadRow:
    where: str
    reason: str

    def __str__(self):
        return f"{self.where}: {self.reason}"


def read(origin, data):
    """The rows of `data` (the file's bytes) in the format `origin`: Coded and BadRow, in file order."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text (byte {exc.start})") from None
    return {"gdelt": read_gdelt, "polecat": read_polecat, "acled": read_acled}[origin](text)


# ---------------------------------------------------------------- GDELT 2.0


def read_gdelt(text):
    lines = text.split("\n")
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise FormatError("empty file")
    if len(first.rstrip("\r").split("\t")) != len(GDELT_COLUMNS):
        count = len(first.rstrip("\r").split("\t"))
        raise FormatError(
            f"not a GDELT 2.0 events export: its first row has {count} tab-separated columns, "
            f"{len(GDELT_COLUMNS)} expected"
        )
    return _gdelt_rows(lines)


def _gdelt_rows(lines):
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        where = f"line {number}"
        values = line.split("\t")
        if len(values) != len(GDELT_COLUMNS):
            yield BadRow(where, f"{len(values)} columns, {len(GDELT_COLUMNS)} expected")
            continue
        row = dict(zip(GDELT_COLUMNS, values, strict=True))
        if not row["GLOBALEVENTID"].isdigit():
            yield BadRow(where, f"GLOBALEVENTID: {row['GLOBALEVENTID']!r} is not a number")
            continue
        try:
            day = datetime.datetime.strptime(row["SQLDATE"], "%Y%m%d").date()
        except ValueError:
            yield BadRow(where, f"SQLDATE: {row['SQLDATE']!r} is not a date (YYYYMMDD)")
            continue
        cameo = row["EventCode"]
        yield Coded(
            where=where,
            origin="gdelt",
            source_id=row["GLOBALEVENTID"],
            type=codes.cameo_type(cameo, row["EventBaseCode"]),
            codes={"cameo": cameo},
            start=day.isoformat(),
            precision=dates.DAY,
            actors=[_gdelt_side(row, "Actor1")],
            recipients=[_gdelt_side(row, "Actor2")],
            url=row["SOURCEURL"] or None,
            note=(
                f"GDELT event {row['GLOBALEVENTID']}: CAMEO {cameo}, Goldstein {row['GoldsteinScale']}, "
                f"Actor1 {row['Actor1Name'] or '-'} ({row['Actor1Code'] or '-'}), "
                f"Actor2 {row['Actor2Name'] or '-'} ({row['Actor2Code'] or '-'}), "
                f"{row['NumArticles']} articles."
            ),
            tags=[f"cameo-{cameo}"] if cameo.isalnum() else [],
        )


def _gdelt_side(row, actor):
    # The country code, or the first three letters of the CAMEO actor code (RUSGOV is Russia's government).
    country = row[f"{actor}CountryCode"] or row[f"{actor}Code"][:3]
    return Side(country.upper() or None, row[f"{actor}Name"])


# ---------------------------------------------------------------- POLECAT / PLOVER JSON


def read_polecat(text):
    stripped = text.strip()
    if not stripped:
        raise FormatError("empty file")
    if stripped.startswith("["):
        try:
            records = json.loads(stripped)
        except ValueError as exc:
            raise FormatError(f"not PLOVER JSON: {exc}") from None
        return (_plover(f"record {number}", record) for number, record in enumerate(records, 1))
    first = next(line for line in text.split("\n") if line.strip())
    try:
        json.loads(first)
    except ValueError as exc:
        raise FormatError(f"not PLOVER JSON (a list, or one event a line): {exc}") from None
    return _plover_lines(text)


def _plover_lines(text):
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            yield BadRow(f"line {number}", f"not JSON: {exc}")
            continue
        yield _plover(f"line {number}", record)


def _first(value):
    """PLOVER's event, mode and context may be lists: their first value."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def _entities(record, *keys):
    """Sides from PLOVER's entity lists (`actor`, `recipient`; `source`, `target` before PLOVER 1.0),
    or from POLECAT's flat columns (`actor_country`, ...)."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, list):
            return [Side((e.get("code") or "").upper() or None, e.get("actorText") or e.get("entity_text") or "")
                    for e in value if isinstance(e, dict)]  # fmt: skip
        if isinstance(value, dict):
            return _entities({"x": [value]}, "x")
        country = record.get(f"{key}_country")
        if isinstance(country, str) and country:
            name = value if isinstance(value, str) else ""
            return [Side(country.upper(), name)]
    return []


def _plover(where, record):
    if not isinstance(record, dict):
        return BadRow(where, "not a JSON object")
    source_id = record.get("id", record.get("event_id"))
    if not isinstance(source_id, str | int) or not str(source_id).strip():
        return BadRow(where, "no id")
    event_type = _first(record.get("event_type", record.get("event")))
    if not event_type:
        return BadRow(where, f"event {source_id}: no event type")
    mode = _first(record.get("mode"))
    day = record.get("date", record.get("event_date", record.get("story_date")))
    try:
        start = datetime.date.fromisoformat(str(day)[:10]).isoformat()
    except ValueError:
        return BadRow(where, f"event {source_id}: date: {day!r} is not a date (YYYY-MM-DD)")
    url = record.get("url") or record.get("story_url") or record.get("source_url")
    context = record.get("context")
    context = ", ".join(context) if isinstance(context, list) else (context or "")
    text = record.get("text") or ""
    return Coded(
        where=where,
        origin="polecat",
        source_id=str(source_id),
        type=codes.plover_type(event_type, mode),
        codes={"plover": event_type.upper(), "mode": (mode or "").lower()},
        start=start,
        precision=dates.DAY,
        actors=_entities(record, "actor", "source"),
        recipients=_entities(record, "recipient", "target"),
        url=url if isinstance(url, str) and url.startswith(("http://", "https://")) else None,
        note=(
            f"PLOVER event {source_id}: {event_type.upper()}{' / ' + mode if mode else ''}"
            f"{', context ' + context if context else ''}. {text}"
        ).strip(),
        tags=[_slug(f"plover-{event_type}" + (f"-{mode}" if mode else ""))],
    )


# ---------------------------------------------------------------- ACLED


def read_acled(text):
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in ACLED_COLUMNS if column not in (reader.fieldnames or ())]
    if missing:
        raise FormatError(f"not an ACLED CSV export: no column {', '.join(missing)} in its header")
    return _acled_rows(reader)


# ACLED's time_precision: 1 the day, 2 a day within a week or so, 3 the month. Chancery has no week:
# 2 and 3 are stored to the month.
ACLED_PRECISION = {"1": dates.DAY, "2": dates.MONTH, "3": dates.MONTH}
# "Government of Russia (2000-)", "Military Forces of Russia (2000-)": the state is what follows "of".
ACLED_STATE = re.compile(r"\bof (?:the )?(.+?)\s*(?:\(|$)")


def _acled_rows(reader):
    for row in reader:
        where = f"line {reader.line_num}"
        source_id = (row["event_id_cnty"] or "").strip()
        if not source_id:
            yield BadRow(where, "event_id_cnty: empty")
            continue
        precision = ACLED_PRECISION.get((row["time_precision"] or "").strip())
        if precision is None:
            yield BadRow(where, f"event {source_id}: time_precision: {row['time_precision']!r} is not 1, 2 or 3")
            continue
        day = _acled_date(row["event_date"])
        if day is None:
            yield BadRow(where, f"event {source_id}: event_date: {row['event_date']!r} is not a date")
            continue
        start = day.isoformat() if precision == dates.DAY else day.isoformat()[:7]
        sub_event_type = row["sub_event_type"] or ""
        yield Coded(
            where=where,
            origin="acled",
            source_id=source_id,
            type=codes.acled_type(sub_event_type),
            codes={"acled": sub_event_type},
            start=start,
            precision=precision,
            actors=[Side(None, row["actor1"] or "")],
            recipients=[Side(None, row["actor2"] or "")] if row["actor2"] else [],
            url=None,
            note=(
                f"ACLED event {source_id}: {row.get('event_type') or ''} / {sub_event_type}; "
                f"{row['actor1']} and {row['actor2'] or '-'}, in {row['country']}. "
                f"{row.get('notes') or ''} Sources: {row.get('source') or '-'}."
            ).strip(),
            tags=[_slug(f"acled-{sub_event_type}")],
        )


def _acled_date(value):
    value = (value or "").strip()
    for pattern in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def acled_state_name(actor_name):
    """The state an ACLED actor belongs to ("Russia" of "Government of Russia (2000-)"), or ''."""
    found = ACLED_STATE.search(actor_name or "")
    return found[1].strip() if found else ""


def _slug(text):
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")[:60]
