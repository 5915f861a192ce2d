"""From an article to draft events, in the admin: propose, correct, choose, save.

The proposals are `events.extraction`'s. The curator corrects each one (title, type, status, dates,
participants) and chooses what it becomes: a new draft, or a citation of the article added to the
stored event it repeats (`events.matching` offers the best match by default). Saving goes through the
dataset reader like every other write, in one transaction under the import lock, so that its checks,
the review rules, history and locking are those of every import; a curator's mistake comes back
beside the field it is in, with everything typed still in the form.
"""

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django import forms
from django.core import signing
from django.db import transaction
from django.urls import reverse

from .choices import ROLES
from .dataset import (
    DatasetError,
    DatasetReader,
    Problem,
    event_to_dict,
    lock_event_id,
    save_dataset,
    wait_for_other_imports,
)
from .dataset.review import review_problems
from .extraction import ExtractionError, proposals_to_dataset, propose
from .matching import candidates_for
from .models import Actor, Event, EventType, Precision, Source, Status, normalize_url

# Participant rows read back per proposal: more is not a proposal anyone corrects by hand.
MAX_PARTICIPANTS = 40
# Empty participant rows under each proposal, to add an actor the extractor missed.
BLANK_PARTICIPANTS = 2
# Sentences left out that the page lists (and carries between its steps); the rest are counted.
MAX_SKIPPED = 300

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


def initial_for(query):
    """The article form's first values. From a stored source (`?source=<pk>`, or `?url=` of one):
    its URL, publisher and publication date, against which the article's dates are read."""
    source, pk, url = None, query.get("source", ""), query.get("url", "")
    # ASCII digits only ("²" is a digit to isdigit, not to int); a larger number is no source's id,
    # and overflows SQLite.
    if pk.isascii() and pk.isdigit() and len(pk) <= 18:
        source = Source.objects.filter(pk=int(pk)).first()
    elif url:
        try:
            source = Source.objects.filter(url=normalize_url(url)).first()
        except ValueError:  # a port beyond 65535: no stored source has it
            source = None
    if source is None:
        return {"url": url}
    return {"url": source.url, "publisher": source.publisher, "published": source.published}


def propose_url(source):
    """The address of "Propose events" for a stored source."""
    return reverse("admin:events_source_from_article") + "?" + urllib.parse.urlencode({"source": source.pk})


def proposals_for(form):
    """(dataset document of the proposals, sentences left out) for a valid ArticleForm.

    Each sentence left out is {"quote", "reason"}, as `events.extraction` gives it.
    """
    data = form.cleaned_data
    extraction = propose(
        data["content"],
        url=data["url"],
        published=data["published"].isoformat() if data.get("published") else None,
        publisher=data.get("publisher") or None,
    )
    skipped = [{"quote": s.quote, "reason": s.reason} for s in extraction.skipped]
    return proposals_to_dataset(extraction), skipped


def choices():
    """What the page's selects and the actor list offer."""
    return {
        "types": list(EventType.objects.order_by("code").values_list("code", flat=True)),
        "statuses": Status.values,
        "precisions": Precision.values,
        "roles": ROLES,
        "actors": list(Actor.objects.order_by("id").values_list("id", "name")),
    }


# ---------------------------------------------------------------- the page, step by step


@dataclass
class Step:
    """What the page shows (`context`), or what a save did (`saved`, then the page redirects)."""

    context: dict
    saved: "Saved | None" = None


def article_step(request):
    """The page for one request: the article form (pre-filled from a source), the proposals, or a save."""
    post = request.POST if request.method == "POST" else None
    if post is not None and "document" in post:
        return save_step(post, request.user)
    form = ArticleForm(post, initial=initial_for(request.GET) if post is None else None)
    context = {"form": form}
    if post is not None and form.is_valid():
        try:
            document, skipped = proposals_for(form)
        except ExtractionError as exc:
            form.add_error("content", str(exc))
        else:
            url = form.cleaned_data["url"]
            context.update(
                proposed=True,
                rows=rows_for(document, url, request.user),
                skipped=skipped[:MAX_SKIPPED],
                skipped_total=len(skipped),
                document=sign_proposals(url, document, skipped),
            )
    return Step({**choices(), **context})


def save_step(post, user):
    """Save what the curator kept, or show the proposals again with what was typed and why not."""
    form = ArticleForm(post)  # the article's fields, carried back hidden
    try:
        url, document, skipped, skipped_total = read_proposals(post["document"])
    except DatasetError as exc:
        form = ArticleForm(initial={"url": post.get("url", "")})
        return Step({**choices(), "form": form, "problems": exc.problems})
    rows = rows_for(document, url, user, post)
    context = {
        **choices(),
        "form": form,
        "proposed": True,
        "rows": rows,
        "skipped": skipped,
        "skipped_total": skipped_total,
        "document": post["document"],
    }
    try:
        saved = save_kept(rows, user)
    except DatasetError as exc:
        return Step({**context, "problems": exc.problems, "refused": True})
    if not saved.added:
        return Step({**context, "nothing_saved": saved.message()})
    return Step(context, saved)


# ---------------------------------------------------------------- proposals as the curator corrects them


def rows_for(document, article_url, user, post=None):
    """Each proposal as the page shows it: as proposed, or as the curator corrected it in `post`;
    with the stored events it may repeat (`events.matching`) and the choice of what it becomes."""
    records = document["events"]
    rows = []
    for index, (record, candidates) in enumerate(zip(records, candidates_for(records, article_url, user), strict=True)):
        matches = [candidate.event.pk for candidate in candidates if candidate.match]
        row = {
            "index": index,
            "proposal": record,
            "record": record if post is None else edited(record, post, index),
            "candidates": candidates,
            "keep": True if post is None else bool(post.get(f"keep-{index}")),
            "target": (matches[0] if matches else "new") if post is None else post.get(f"target-{index}", "new"),
            "errors": {},
            "problems": [],
        }
        row["participants"] = [{**participant, "errors": []} for participant in row["record"]["participants"]] + [
            {"actor": "", "role": "participant", "errors": []} for _ in range(BLANK_PARTICIPANTS)
        ]
        rows.append(row)
    return rows


EDITABLE = ("title", "type", "status", "start", "start_precision", "end", "end_precision")


def edited(record, post, index):
    """The proposal with the curator's corrections: every field the form sent, as typed (checked on
    saving, by the dataset reader). Participants are the rows with an actor, in their order."""
    record = dict(record)
    for key in EDITABLE:
        name = f"{key}-{index}"
        if name in post:
            value = post[name].strip()
            record[key] = value if value or key not in ("end", "end_precision") else None
    if f"actor-{index}-0" in post:
        participants = []
        for row in range(MAX_PARTICIPANTS):
            if f"actor-{index}-{row}" not in post:
                break
            actor = post[f"actor-{index}-{row}"].strip()
            if actor:
                participants.append({"actor": actor, "role": post.get(f"role-{index}-{row}", "").strip()})
        record["participants"] = participants
    return record


# ---------------------------------------------------------------- saving


@dataclass
class Saved:
    """What a save did: drafts created, stored events the article was added to, and why not more."""

    kept: int
    drafts: list = field(default_factory=list)
    cited: list = field(default_factory=list)
    already_cited: list = field(default_factory=list)  # stored events that cite the article already
    chosen_twice: list = field(default_factory=list)  # stored events that several proposals chose

    @property
    def added(self):
        return bool(self.drafts or self.cited)

    def message(self):
        said = f"{_count(len(self.drafts), 'draft event')} saved, {_count(len(self.cited), 'citation')} added"
        if self.cited:
            said += f" to {_names(self.cited)}"
        reasons = []
        if not self.kept:
            reasons.append("no proposal was kept (ticked)")
        if self.already_cited:
            reasons.append(f"the source is already cited by {_names(self.already_cited)}")
        if self.chosen_twice:
            reasons.append(f"more than one proposal chose {_names(self.chosen_twice)}, which cites the article once")
        if not reasons:
            return f"{said}."
        return f"{said}{': ' if not self.added else '. Not added: '}{'; '.join(reasons)}."

    def result_url(self):
        """The event list showing what the save wrote."""
        ids = ",".join(dict.fromkeys(self.drafts + self.cited))
        return reverse("admin:events_event_changelist") + "?" + urllib.parse.urlencode({"id__in": ids})


def _count(number, noun):
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _names(ids):
    ids = list(dict.fromkeys(ids))
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"


@transaction.atomic
def save_kept(rows, user):
    """Save the rows kept: new drafts as corrected, or the article cited by the stored event chosen.

    In one transaction, after any import under way (the import lock), through the dataset reader and
    the review rules; each stored event cited is locked while it is read and rewritten, each new id
    while it is chosen. A DatasetError refuses it all: its problems are set on the rows they are about
    (`errors` by field, `participants[k]["errors"]`, `problems`), and the rest raised.
    """
    wait_for_other_imports()
    kept = [row for row in rows if row["keep"]]
    saved = Saved(kept=len(kept))
    records, rows_by_label, refused = [], {}, False
    for row in kept:
        record, target = row["record"], row["target"]
        if target == "new":
            record = {**record, "id": _free_id(record["id"], rows_by_label), "review_state": "draft"}
            saved.drafts.append(record["id"])
        else:
            stored = Event.objects.with_dataset_relations().select_for_update(of=("self",)).filter(pk=target).first()
            if stored is None:
                row["problems"].append(f"there is no stored event {target!r} to cite the article in")
                refused = True
                continue
            if f"event {target}" in rows_by_label:
                saved.chosen_twice.append(target)
                continue
            record = _cited(event_to_dict(stored), row["proposal"])
            if record is None:
                saved.already_cited.append(target)
                continue
            saved.cited.append(target)
        rows_by_label[f"event {record['id']}"] = row
        records.append(record)
    if refused:
        raise DatasetError([])
    if not records:
        return saved
    try:
        reader = DatasetReader({"events": records}).read()
        review_problems(reader, user)
    except DatasetError as exc:
        raise DatasetError(_set_on_rows(exc.problems, rows_by_label)) from None
    save_dataset(reader, user=user, reason="admin: from an article")
    return saved


def _cited(stored, proposal):
    """The stored event (a dataset record) citing the proposal's source too; None if it cites it already."""
    if not proposal["sources"]:
        return None
    source = proposal["sources"][0]
    if any(normalize_url(item["url"]) == normalize_url(source["url"]) for item in stored["sources"]):
        return None
    return {**stored, "sources": [*stored["sources"], source]}


def _free_id(wanted, taken):
    """`wanted`, or `wanted-2`, `-3`...: the first id no stored event and no other new draft has.

    A new draft never takes a stored event's id (saving would rewrite that event). Each id is locked
    (`lock_event_id`) before it is looked up, so that nobody creates it before this save commits.
    """
    candidate, number, longest = wanted, 1, Event._meta.get_field("id").max_length
    while True:
        lock_event_id(candidate)
        if f"event {candidate}" not in taken and not Event.objects.filter(pk=candidate).exists():
            return candidate
        number += 1
        suffix = f"-{number}"
        candidate = wanted[: longest - len(suffix)].rstrip("-") + suffix


PARTICIPANT_FIELD = re.compile(r"participants\[(\d+)\](?:\.(actor|role))?$")


def _set_on_rows(problems, rows_by_label):
    """Put each problem beside the field it is about; return those that belong to no row."""
    left = []
    for problem in problems:
        row = rows_by_label.get(problem.record)
        if row is None:
            left.append(problem)
            continue
        participant = PARTICIPANT_FIELD.match(problem.field)
        if problem.field in EDITABLE and row["target"] == "new":
            row["errors"].setdefault(problem.field, []).append(problem.message)
        elif participant and row["target"] == "new" and int(participant[1]) < len(row["participants"]):
            row["participants"][int(participant[1])]["errors"].append(problem.message)
        else:
            row["problems"].append(f"{problem.field}: {problem.message}")
    return left


PROPOSALS_SALT = "events.curation.proposals"


def sign_proposals(url, document, skipped):
    """The proposals as the page carries them between its two steps: signed, so that what comes back
    is what this site proposed, never a document of the sender's making (nested a thousand deep,
    holding text no database can store, or of another shape)."""
    return signing.dumps([url, document, skipped[:MAX_SKIPPED], len(skipped)], salt=PROPOSALS_SALT, compress=True)


def read_proposals(token):
    """(article URL, proposals, sentences left out, how many were) as a page carried them back; a
    DatasetError when they are not the ones this site signed."""
    try:
        url, document, skipped, skipped_total = signing.loads(token, salt=PROPOSALS_SALT)
    except (signing.BadSignature, ValueError):
        problem = "not the proposals this page was given: paste the article again"
        raise DatasetError([Problem("proposals", "document", problem)]) from None
    return url, document, skipped, skipped_total
