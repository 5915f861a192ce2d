"""The management commands of the contract: import_dataset, export_dataset, load_demo, ensure_admin."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from events.models import Event
from tests.demo import DEMO_PATH, dataset, event_record, export_text, row_counts

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
IMPORTED = (
    "imported (actors: 2 created, 0 updated, 0 unchanged; events: 1 created, 0 updated, 0 unchanged; "
    "sources: 1 created, 0 updated, 0 unchanged)"
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The hasher's cost is not under test; what is stored and checked is.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args):
    """call_command, returning (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def bad_document():
    """A file with a good event and two bad records."""
    return dataset(
        event_record("good-talks"),
        event_record("bad-type", type="talks.secret"),
        event_record("bad-date", start="2025-02-30"),
    )


BAD_LINES = [
    "event bad-type: type: unknown type code 'talks.secret' (see /api/v1/event-types/)",
    "event bad-date: start: '2025-02-30' is not a date that exists",
]


# ---------------------------------------------------------------- import_dataset


def test_import_dataset_imports_a_file(tmp_path):
    path = tmp_path / "talks.json"
    path.write_text(json.dumps(dataset(event_record("good-talks"))), encoding="utf-8")

    out, err = run("import_dataset", str(path))

    assert out == f"{path}: {IMPORTED}\n"
    assert err == ""
    assert list(Event.objects.values_list("id", flat=True)) == ["good-talks"]


def test_import_dataset_from_a_long_path_keeps_what_the_history_can_hold(tmp_path):
    """The history keeps 100 characters of a change's reason; a file deep in folders names a longer one,
    which PostgreSQL refused, failing the whole import."""
    folder = tmp_path / ("curated-datasets-of-the-research-group-" * 3)
    folder.mkdir()
    path = folder / "talks.json"
    path.write_text(json.dumps(dataset(event_record("good-talks"))), encoding="utf-8")

    out, err = run("import_dataset", str(path))

    assert (out, err) == (f"{path}: {IMPORTED}\n", "")
    reason = Event.objects.get(pk="good-talks").history.get().history_change_reason
    assert reason == f"import_dataset {path}"[:100]
    assert Event.history.model._meta.get_field("history_change_reason").max_length == 100


def test_import_dataset_reads_standard_input_for_a_dash(monkeypatch):
    document = json.dumps(dataset(event_record("good-talks")), ensure_ascii=False).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(document), encoding="utf-8"))

    out, _ = run("import_dataset", "-")

    assert out == f"standard input: {IMPORTED}\n"
    assert list(Event.objects.values_list("id", flat=True)) == ["good-talks"]


def test_import_dataset_of_the_same_file_twice_changes_nothing_the_second_time(tmp_path):
    path = tmp_path / "talks.json"
    path.write_text(json.dumps(dataset(event_record("good-talks"))), encoding="utf-8")
    run("import_dataset", str(path))
    before = row_counts()

    out, _ = run("import_dataset", str(path))

    assert out == (
        f"{path}: imported (actors: 0 created, 0 updated, 2 unchanged; events: 0 created, 0 updated, 1 unchanged; "
        "sources: 0 created, 0 updated, 1 unchanged)\n"
    )
    assert row_counts() == before


def test_import_dataset_of_a_bad_file_names_every_bad_record_imports_nothing_and_fails(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad_document()), encoding="utf-8")
    before = row_counts()
    err = io.StringIO()

    with pytest.raises(CommandError) as exc:
        call_command("import_dataset", str(path), stdout=io.StringIO(), stderr=err)

    assert str(exc.value) == f"{path}: 2 problems; nothing was imported"
    assert err.getvalue() == "".join(f"{path}: {line}\n" for line in BAD_LINES)
    assert row_counts() == before


def test_import_dataset_of_malformed_json_says_where_it_breaks(tmp_path):
    path = tmp_path / "truncated.json"
    path.write_text('{\n "actors": [\n', encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError) as exc:
        call_command("import_dataset", str(path), stderr=err)

    assert str(exc.value) == f"{path}: 1 problem; nothing was imported"
    assert err.getvalue() == f"{path}: file: json: not valid JSON: Expecting value at line 3, column 1\n"


def test_import_dataset_of_a_missing_file_fails_naming_it(tmp_path):
    path = tmp_path / "missing.json"

    with pytest.raises(CommandError) as exc:
        call_command("import_dataset", str(path))

    assert str(exc.value) == f"{path}: No such file or directory"


@pytest.fixture(scope="session")
def migrated_sqlite_env(tmp_path_factory):
    """The environment of a `manage.py` subprocess on a freshly migrated temporary SQLite database."""
    folder = tmp_path_factory.mktemp("subprocess-db")
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DEBUG", "SECRET_KEY"}}
    env["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return env


def test_manage_py_import_dataset_of_a_bad_file_exits_non_zero_without_a_traceback(migrated_sqlite_env, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad_document()), encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "manage.py", "import_dataset", str(path)],
        cwd=ROOT,
        env=migrated_sqlite_env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        "".join(f"{path}: {line}\n" for line in BAD_LINES) + f"CommandError: {path}: 2 problems; nothing was imported\n"
    )
    assert result.stdout == ""


# ---------------------------------------------------------------- export_dataset


def test_export_dataset_writes_the_whole_database_to_a_file(demo, tmp_path):
    path = tmp_path / "export.json"

    out, err = run("export_dataset", str(path))

    assert path.read_text(encoding="utf-8") == export_text()
    assert (out, err) == ("", f"{path}: 17 events written\n")
    assert [p.name for p in tmp_path.iterdir()] == ["export.json"]


def test_export_dataset_replaces_an_existing_file(demo, tmp_path):
    path = tmp_path / "export.json"
    path.write_text("an older export", encoding="utf-8")

    run("export_dataset", str(path))

    assert path.read_text(encoding="utf-8") == export_text()


def test_a_failed_export_leaves_the_previous_file_whole_and_no_partial_file(demo, tmp_path, monkeypatch):
    from events.dataset import write_dataset
    from events.management.commands import export_dataset

    def write_half_then_fail(out, *args, **kwargs):
        write_dataset(out, *args, **kwargs)
        raise OSError("No space left on device")

    monkeypatch.setattr(export_dataset, "write_dataset", write_half_then_fail)
    path = tmp_path / "export.json"
    path.write_text("the previous export", encoding="utf-8")

    with pytest.raises(OSError, match="No space left on device"):
        call_command("export_dataset", str(path), stderr=io.StringIO())

    assert path.read_text(encoding="utf-8") == "the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["export.json"]


def test_export_dataset_into_a_missing_folder_fails_naming_the_file(tmp_path):
    path = tmp_path / "missing" / "export.json"

    with pytest.raises(CommandError) as exc:
        call_command("export_dataset", str(path))

    assert str(exc.value) == f"{path}: No such file or directory"


def test_export_dataset_writes_standard_output_for_a_dash(demo, capsys):
    call_command("export_dataset", "-")

    captured = capsys.readouterr()
    assert captured.out == export_text()
    assert captured.err == ""


def test_export_dataset_to_a_dash_writes_to_the_stdout_given_to_call_command(demo):
    out, _ = run("export_dataset", "-")

    assert out == export_text()


# ---------------------------------------------------------------- load_demo


def test_load_demo_twice_changes_nothing_the_second_time():
    first, _ = run("load_demo")
    before, updated = row_counts(), dict(Event.objects.values_list("id", "updated_at"))

    second, _ = run("load_demo")

    assert first == (
        "demo data: actors: 14 created, 0 updated, 0 unchanged; events: 17 created, 0 updated, 0 unchanged; "
        "sources: 1 created, 0 updated, 0 unchanged\n"
    )
    assert second == (
        "demo data: actors: 0 created, 0 updated, 14 unchanged; events: 0 created, 0 updated, 17 unchanged; "
        "sources: 0 created, 0 updated, 1 unchanged\n"
    )
    assert row_counts() == before
    assert dict(Event.objects.values_list("id", "updated_at")) == updated


def test_load_demo_loads_the_demo_file():
    run("load_demo")

    assert export_text() == DEMO_PATH.read_text(encoding="utf-8")


# ---------------------------------------------------------------- ensure_admin


def created_password(output):
    match = re.fullmatch(
        r"Created the superuser 'admin'\. Log in at http://127\.0\.0\.1:8000/admin/ with password: (\S+)\n"
        r"\(shown once; change it with \.venv/bin/python manage\.py changepassword admin\)\n",
        output,
    )
    assert match, output
    return match.group(1)


def test_ensure_admin_creates_a_superuser_with_a_random_password_once():
    out, _ = run("ensure_admin", "--no-color")

    password = created_password(out)
    admin = get_user_model().objects.get()
    assert (admin.username, admin.is_superuser, admin.is_staff) == ("admin", True, True)
    assert len(password) >= 16
    assert admin.check_password(password)


def test_ensure_admin_on_a_second_run_only_says_how_to_log_in():
    run("ensure_admin", "--no-color")
    password_hash = get_user_model().objects.get().password

    out, _ = run("ensure_admin", "--no-color")

    assert out == (
        "Log in at http://127.0.0.1:8000/admin/ as 'admin' (or another superuser). Forgot the password? "
        ".venv/bin/python manage.py changepassword admin\n"
    )
    assert list(get_user_model().objects.values_list("username", "password")) == [("admin", password_hash)]


def test_ensure_admin_names_an_existing_superuser_and_creates_none():
    get_user_model().objects.create_superuser(username="curator", email="", password="a long passphrase here")

    out, _ = run("ensure_admin", "--no-color")

    assert out.startswith("Log in at http://127.0.0.1:8000/admin/ as 'curator' (or another superuser).")
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["curator"]


def test_ensure_admin_never_gives_two_fresh_databases_the_same_password():
    first = created_password(run("ensure_admin", "--no-color")[0])
    get_user_model().objects.all().delete()  # a fresh database again

    second = created_password(run("ensure_admin", "--no-color")[0])

    assert first != second
    admin = get_user_model().objects.get(username="admin")
    assert not admin.check_password(first)
    assert admin.check_password(second)
