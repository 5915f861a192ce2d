"""iCalendar: one VEVENT per event."""

import datetime

import icalendar

from ..shape import (
    by_role,
    sorted_citations,
)
from .base import ROLE_LABELS, ExportFormat, precision_note, read_chunks

# iCalendar's STATUS has three values; ours are finer.
ICS_STATUS = {
    "proposed": "TENTATIVE",
    "scheduled": "TENTATIVE",
    "postponed": "TENTATIVE",
    "occurred": "CONFIRMED",
    "cancelled": "CANCELLED",
}


def calendar_header():
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Chancery//Diplomatic events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Chancery: diplomatic events")
    footer = "END:VCALENDAR\r\n"
    return calendar.to_ical().decode("utf-8").removesuffix(footer), footer


def ics_description(event):
    lines = [event.summary, ""] if event.summary else []
    when = event.start_text if event.end is None else f"{event.start_text} to {event.end_text}"
    note = precision_note(event)
    lines.append(f"When: {when} {note}".rstrip())
    lines.append(f"Type: {event.type.name} ({event.type_id})")
    lines.append(f"Status: {event.status}")
    names = {p.actor_id: p.actor.name for p in event.participants.all()}
    for role, actor_ids in by_role(event).items():
        singular, plural = ROLE_LABELS[role]
        label = singular if len(actor_ids) == 1 else plural
        lines.append(f"{label}: {', '.join(names[actor_id] for actor_id in actor_ids)}")
    citations = sorted_citations(event)
    if citations:
        lines.append("Sources:")
        lines.extend(citation.source.url for citation in citations)
    return "\n".join(lines)


def vevent(event):
    item = icalendar.Event()
    item.add("uid", f"{event.id}@chancery")
    # Without a METHOD, DTSTAMP is when the information was last revised (RFC 5545, 3.8.7.2).
    item.add("dtstamp", event.updated_at)
    item.add("last-modified", event.updated_at)
    item.add("dtstart", event.start)
    if event.span_end < datetime.date.max:
        # All-day events end on the day after their last day (the end is exclusive).
        item.add("dtend", event.span_end + datetime.timedelta(days=1))
    else:
        # No DATE can say the day after 9999-12-31. RFC 5545 lets DURATION stand for DTEND (3.6.1), in
        # whole days after a DATE start (3.8.2.5): the same span, where clamping DTEND would lose a day.
        item.add("duration", datetime.timedelta(days=(event.span_end - event.start).days + 1))
    item.add("summary", f"{event.title} {precision_note(event)}".rstrip())
    item.add("description", ics_description(event))
    item.add("status", ICS_STATUS[event.status])
    item.add("categories", [event.type_id])
    if event.location_name:
        item.add("location", event.location_name)
    if event.location_lat is not None and event.location_lon is not None:
        item.add("geo", (event.location_lat, event.location_lon))
    return item.to_ical().decode("utf-8")


class ICSFormat(ExportFormat):
    """iCalendar (RFC 5545): one all-day VEVENT per event, covering the event's whole span."""

    name = "ics"
    media_type = "text/calendar; charset=utf-8"
    extension = "ics"

    def stream(self, events, progress=None):
        header, footer = calendar_header()
        yield header
        # The actors' names, for the description: one more query per chunk.
        for chunk in read_chunks(events, actor_names=True, progress=progress):
            for event in chunk:
                yield vevent(event)
        yield footer
