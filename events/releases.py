"""Releases: frozen, citable files of what is published at one moment (docs/releases.md).

A release is a directory under `settings.CHANCERY_RELEASES_DIR` named for the release: every export format
of `events.exports.FORMATS` written once, from one snapshot of the database, and `manifest.json` (the
name, the moment, the counts, each file's size and SHA-256, Chancery's version and how to cite it). The
directory is written under a hidden temporary name and renamed into place when whole, so a release that
fails leaves nothing behind, and an existing release is never written again: the files on disk are the
release, read back by the API as they are.
"""

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connections, transaction
from django.utils import timezone

from .exports import FORMATS
from .models import Citation, Event, Participant

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
NAME_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
"""A release's name: lower-case letters and digits, with single `-` or `_` between them
(`2026-q4`, `v1_2`); at most `NAME_MAX` characters. Never `.` or `..`, never a path."""
NAME_MAX = 100
BLOCK = 1 << 16


class ReleaseError(Exception):
    """A release that cannot be made or read: the message says which and why."""


def check_name(name):
    """The name, if it may name a release; else ReleaseError naming it."""
    if len(name) > NAME_MAX or not re.fullmatch(NAME_PATTERN, name):
        raise ReleaseError(
            f"{name[:NAME_MAX]!r} is not a release name: lower-case letters and digits, with single - or _ "
            f"between them (2026-q4, v1_2), at most {NAME_MAX} characters"
        )
    return name


def releases_dir() -> Path:
    return Path(settings.CHANCERY_RELEASES_DIR)


def file_name(name, fmt):
    """The name of a format's file in release `name`: 'chancery-2026-q4.csv', so that a download names itself."""
    return f"chancery-{name}.{fmt.extension}"


def software_version():
    """Chancery's version: CHANCERY_VERSION if set (an image built from a tag), else the checkout's commit."""
    if settings.CHANCERY_VERSION:
        return settings.CHANCERY_VERSION
    try:
        described = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return described.stdout.strip() or "unknown"


def moment_text(moment):
    return moment.isoformat().replace("+00:00", "Z")


def citation(name, moment, url):
    return f"Chancery, release {name} (the published events as of {moment_text(moment)}). {url}"


@contextmanager
def one_snapshot(using="default"):
    """Every read inside sees the database as it was at one moment: a REPEATABLE READ transaction on
    PostgreSQL, a deferred (read) transaction on SQLite, whose write-ahead log keeps the snapshot while
    writers go on. Inside a transaction already begun (a test's), that transaction is the snapshot."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield
    else:
        # Django keeps SQLite in autocommit outside `atomic`, where it would BEGIN IMMEDIATE and hold the write
        # lock for the whole release; a deferred transaction only reads.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")


def published_events():
    """What a release holds: the events anyone may read, as the anonymous export has them."""
    return Event.objects.visible_to(AnonymousUser()).chronological()


def counts_of(events):
    """The release's counts: its events, the actors taking part in them and the sources they cite."""
    ids = events.order_by().values("pk")
    return {
        "events": events.count(),
        "actors": Participant.objects.filter(event__in=ids).values("actor_id").distinct().count(),
        "sources": Citation.objects.filter(event__in=ids).values("source_id").distinct().count(),
    }


def write_release(name, site_url="", progress=None):
    """Write release `name` of the published events now; returns its manifest. ReleaseError when the name is
    not one, or a release of that name exists (then nothing is written). `progress` is called with the
    number of events of each chunk written, across every format."""
    check_name(name)
    root = releases_dir()
    final = root / name
    if final.exists():
        raise ReleaseError(f"release {name!r} exists ({final}): a release is never rewritten; choose another name")
    try:
        root.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(dir=root, prefix=f".{name}-"))
    except OSError as exc:
        raise ReleaseError(f"{root}: {exc.strerror}") from None
    try:
        manifest = _write_files(name, partial, site_url, progress)
        partial.chmod(0o755)  # mkdtemp's 0700 would hide the release from a web server running as another user
        try:
            # Two releases of one name made at once: the second rename finds the first's directory, not empty.
            os.rename(partial, final)
        except OSError:
            raise ReleaseError(f"release {name!r} exists ({final}): a release is never rewritten") from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _write_files(name, folder, site_url, progress):
    events = published_events()
    with one_snapshot(events.db):
        counts = counts_of(events)
        # Taken once the snapshot holds (its first query is behind us): every write committed before it is in
        # the files, and `as_of` this moment reads the same events from the history.
        moment = timezone.now()
        files = [_write_format(folder, file_name(name, fmt), fmt, events, progress) for fmt in FORMATS.values()]
    url = f"{site_url.rstrip('/')}/api/v1/releases/{name}/"
    manifest = {
        "name": name,
        "moment": moment_text(moment),
        "counts": counts,
        "files": files,
        "software": {"name": "Chancery", "version": software_version()},
        "citation": citation(name, moment, url),
    }
    with open(folder / MANIFEST, "w", encoding="utf-8") as out:
        json.dump(manifest, out, ensure_ascii=False, indent=1)
        out.write("\n")
    return manifest


def _write_format(folder, file, fmt, events, progress):
    """Stream one format into `folder / file`, hashing as it goes: the file's entry of the manifest."""
    digest = hashlib.sha256()
    size = 0
    chunks = fmt.stream(events, progress=progress)
    try:
        with open(folder / file, "wb") as out:
            for chunk in chunks:
                data = chunk if fmt.binary else chunk.encode("utf-8")
                out.write(data)
                digest.update(data)
                size += len(data)
    finally:
        chunks.close()  # at once: the PostgreSQL road ends its COPY
    return {"name": file, "format": fmt.name, "media_type": fmt.media_type, "size": size, "sha256": digest.hexdigest()}


def read_manifest(name):
    """The manifest of release `name`, or None when there is no such release (or the name is none)."""
    if len(name) > NAME_MAX or not re.fullmatch(NAME_PATTERN, name):
        return None
    path = releases_dir() / name / MANIFEST
    try:
        with open(path, encoding="utf-8") as manifest:
            return json.load(manifest)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except ValueError:
        # Written whole and never again by `release`: a manifest that does not read was changed by hand.
        log.error("%s is not a release's manifest (not JSON): the release is not served", path)
        return None


# The releases' manifests as last read: {releases directory: (its mtime, the manifests)}. A release comes
# (and goes) by a rename in that directory, which changes its mtime, in whichever process wrote it.
_listed = {}

SETTLED_NS = 1_000_000_000
"""How long after the directory last changed its listing may be kept: the file system stamps its mtime with
a coarse clock, so a second change in the same tick as the first would leave the mtime as it was."""


def all_manifests():
    """Every release's manifest, the latest moment first (then by name); shared, not to be changed. Read
    again only when the releases directory has changed since it was last read."""
    root = releases_dir()
    try:
        changed = root.stat().st_mtime_ns
    except (FileNotFoundError, NotADirectoryError):
        return []
    cached = _listed.get(root)
    if cached is not None and cached[0] == changed:
        return list(cached[1])
    manifests = _read_all_manifests(root)
    if time.time_ns() - changed > SETTLED_NS:
        _listed[root] = (changed, manifests)
    return list(manifests)


def _read_all_manifests(root):
    try:
        names = [entry.name for entry in os.scandir(root) if entry.is_dir()]
    except FileNotFoundError:
        return []
    manifests = [manifest for name in names if (manifest := read_manifest(name)) is not None]
    manifests.sort(key=lambda manifest: manifest["name"])
    manifests.sort(key=lambda manifest: manifest["moment"], reverse=True)
    return manifests


def release_file(name, file):
    """`(path, media type, SHA-256)` of `file` of release `name`, or None unless the release's manifest lists
    it (or it is the manifest): a name read from a URL never reaches the file system on its own."""
    manifest = read_manifest(name)
    if manifest is None:
        return None
    folder = releases_dir() / name
    if file == MANIFEST:
        return folder / MANIFEST, "application/json", sha256_of(folder / MANIFEST)
    for entry in manifest["files"]:
        if entry["name"] == file and (folder / file).is_file():
            return folder / file, entry["media_type"], entry["sha256"]
    return None


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        while block := data.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()
