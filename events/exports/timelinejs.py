"""TimelineJS 3: a document of slides, one per event."""

from html import escape

from .. import dates
from ..shape import sorted_citations
from .base import ExportFormat, dump_json, human_date, precision_note, read_chunks


def timeline_date(value, precision):
    """A TimelineJS date object, as precise as the date is known."""
    date = {"year": str(value.year)}
    if precision in (dates.MONTH, dates.DAY):
        date["month"] = str(value.month)
    if precision == dates.DAY:
        date["day"] = str(value.day)
    return date


def timeline_text(event):
    parts = [f"<p>{escape(event.summary)}</p>"] if event.summary else []
    citations = sorted_citations(event)
    if citations:
        links = []
        for citation in citations:
            source = citation.source
            about = ", ".join(
                item for item in (source.publisher, source.published.isoformat() if source.published else "") if item
            )
            link = f'<a href="{escape(source.url)}">{escape(source.title or source.url)}</a>'
            links.append(f"<li>{link}{f' ({escape(about)})' if about else ''}</li>")
        parts.append(f"<p>Sources:</p><ul>{''.join(links)}</ul>")
    return "".join(parts)


def slide(event):
    result = {"start_date": timeline_date(event.start, event.start_precision)}
    if event.end is not None:
        result["end_date"] = timeline_date(event.end, event.end_precision)
    if precision_note(event):
        shown = human_date(event.start, event.start_precision)
        if event.end is not None:
            shown += f" – {human_date(event.end, event.end_precision)}"
        result["display_date"] = shown
    result["text"] = {"headline": escape(event.title), "text": timeline_text(event)}
    result["group"] = event.type.family
    result["unique_id"] = event.id
    return result


class TimelineJSFormat(ExportFormat):
    """Knight Lab TimelineJS 3 JSON: a title slide and one slide per event, grouped by type family."""

    name = "timelinejs"
    media_type = "application/json"
    extension = "timeline.json"

    title = {"text": {"headline": "Chancery", "text": "Diplomatic events, with their sources."}}

    def stream(self, events, progress=None):
        written = 0
        yield '{"title": ' + dump_json(self.title) + ', "events": ['
        for chunk in read_chunks(events, progress=progress):
            yield ("," if written else "") + "\n" + ",\n".join(dump_json(slide(event)) for event in chunk)
            written += len(chunk)
        yield "\n]}\n"
