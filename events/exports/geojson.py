"""GeoJSON: a FeatureCollection of the events that have coordinates."""

from .base import ExportFormat, dump_json, participants_list, read_chunks


def feature(event):
    return {
        "type": "Feature",
        "id": event.id,
        # RFC 7946: longitude first.
        "geometry": {"type": "Point", "coordinates": [event.location_lon, event.location_lat]},
        "properties": {
            "id": event.id,
            "title": event.title,
            "type": event.type_id,
            "status": event.status,
            "start": event.start_text,
            "start_precision": event.start_precision,
            "end": event.end_text,
            "end_precision": event.end_precision or None,
            "location_name": event.location_name,
            "location_country": event.location_country or None,
            "participants": participants_list(event),
        },
    }


class GeoJSONFormat(ExportFormat):
    """RFC 7946 FeatureCollection: a Point feature per event with coordinates; the others are left out."""

    name = "geojson"
    media_type = "application/geo+json"
    extension = "geojson"

    def stream(self, events, progress=None):
        if not events.query.is_sliced:
            events = events.filter(location_lat__isnull=False, location_lon__isnull=False)
        written = 0
        yield '{"type": "FeatureCollection", "features": ['
        for chunk in read_chunks(events, progress=progress):
            located = [e for e in chunk if e.location_lat is not None and e.location_lon is not None]
            if located:
                yield ("," if written else "") + "\n" + ",\n".join(dump_json(feature(e)) for e in located)
                written += len(located)
        yield "\n]}\n"
