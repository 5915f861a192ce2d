"""From an article to draft events, in the admin: paste, review the proposals, keep, save.

The proposals are `events.extraction`'s; saving goes through the dataset
reader like every other write, in one transaction: new drafts, and citations
added to events already stored where the curator says a proposal repeats one.
"""

import urllib.error
import urllib.request

from django import forms
from django.core import signing
from django.db import transaction

from . import dates
from .dataset import DatasetError, DatasetReader, Problem, event_to_dict, save_dataset
from .dataset.review import review_problems
from .extraction import proposals_to_dataset, propose
from .models import Event, EventType, Precision, Status

FETCH_TIMEOUT = 10
FETCH_MAX_BYTES = 5 * 2**20


class ArticleForm(forms.Form):
    url = forms.URLField(
        assume_scheme="https",
        max_length=2000,
        help_text="The article's address: it becomes the source of the events.",
    )
    published = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="YYYY-MM-DD. Dates in the text ('last month', 'on Saturday') are read against it.",
    )
    publisher = forms.CharField(required=False, max_length=200, help_text="e.g. RT, Reuters.")
    content = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text="Paste the article's text or its page's HTML.",
    )
    fetch = forms.BooleanField(
        required=False, help_text=f"Fetch the page from its URL instead ({FETCH_TIMEOUT} s at most)."
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("content", "").strip():
            if not cleaned.get("fetch"):
                raise forms.ValidationError("Paste the article, or tick 'fetch' to read it from its URL.")
            if cleaned.get("url"):
                cleaned["content"] = fetch_article(cleaned["url"])
        return cleaned


def fetch_article(url, timeout=FETCH_TIMEOUT):
    """The page at `url`, as text; a ValidationError saying why not (nothing else needs the network)."""
    request = urllib.request.Request(url, headers={"User-Agent": "Chancery article reader"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(FETCH_MAX_BYTES + 1)
            charset = response.headers.get_content_charset() or "utf-8"
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise forms.ValidationError(f"Could not fetch {url}: {reason}. Paste the article instead.") from None
    if len(data) > FETCH_MAX_BYTES:
        raise forms.ValidationError(f"{url} is larger than {FETCH_MAX_BYTES // 2**20} MB. Paste the article instead.")
    return data.decode(charset, errors="replace")


def proposals_for(form):
    """(dataset document of the proposals, sentences skipped with their reasons) for a valid ArticleForm."""
    data = form.cleaned_data
    extraction = propose(
        data["content"],
        url=data["url"],
        published=data["published"].isoformat() if data.get("published") else None,
        publisher=data.get("publisher") or None,
    )
    return proposals_to_dataset(extraction), extraction.skipped


def rows_for(document):
    """Each proposal with the stored events it may repeat."""
    rows = []
    for index, record in enumerate(document["events"]):
        start, _ = dates.parse_partial_date(record["start"])
        end = dates.parse_partial_date(record["end"])[0] if record.get("end") else None
        event = Event(
            id=record["id"],
            type_id=record["type"],
            start=start,
            start_precision=record["start_precision"],
            end=end,
            end_precision=record.get("end_precision") or "",
        )
        actors = [p["actor"] for p in record["participants"]]
        candidates = list(Event.objects.likely_duplicates(event, actors)[:5])
        rows.append({"index": index, "record": record, "duplicates": candidates})
    return rows


EDITABLE = ("title", "type", "status", "start", "start_precision")


def choices():
    return {
        "types": list(EventType.objects.order_by("code").values_list("code", flat=True)),
        "statuses": Status.values,
        "precisions": Precision.values,
    }


@transaction.atomic
def save_kept(document, post, user):
    """Save the proposals the curator kept: new drafts, or citations added to stored events.

    `post` holds, per proposal i: keep-i, the edited fields (title-i, ...), and target-i,
    "new" or the id of a stored event the proposal repeats. Returns (drafts, citations added).
    """
    records, drafts, merged = [], 0, 0
    for index, record in enumerate(document["events"]):
        if not post.get(f"keep-{index}"):
            continue
        target = post.get(f"target-{index}", "new")
        if target == "new":
            record = {**record, **{key: post[f"{key}-{index}"] for key in EDITABLE if post.get(f"{key}-{index}")}}
            record["review_state"] = "draft"
            records.append(record)
            drafts += 1
            continue
        stored = Event.objects.with_dataset_relations().filter(pk=target).first()
        if stored is None:
            raise DatasetError([Problem(f"proposal {record['id']}", "target", f"no stored event {target!r}")])
        existing = event_to_dict(stored)
        urls = {source["url"] for source in existing["sources"]}
        added = [source for source in record["sources"] if source["url"] not in urls]
        records.append({**existing, "sources": existing["sources"] + added})
        merged += len(added)
    reader = DatasetReader({"events": records}).read()
    review_problems(reader, user)
    save_dataset(reader, user=user, reason="admin: from an article")
    return drafts, merged


PROPOSALS_SALT = "events.curation.proposals"


def sign_proposals(document):
    """The proposals as the page carries them between its two steps: signed, so that what comes back
    is what this site proposed, never a document of the sender's making (nested a thousand deep,
    holding text no database can store, or of another shape)."""
    return signing.dumps(document, salt=PROPOSALS_SALT, compress=True)


def read_proposals(token):
    """The proposals a page carried back; a DatasetError when they are not the ones this site signed."""
    try:
        return signing.loads(token, salt=PROPOSALS_SALT)
    except signing.BadSignature:
        problem = "not the proposals this page was given: paste the article again"
        raise DatasetError([Problem("proposals", "document", problem)]) from None
