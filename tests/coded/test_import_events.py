"""`manage.py import_events`: the machine-coded datasets' sample files (tests/data/coded/) as drafts."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from events.coded import codes
from events.dataset import import_document
from events.models import Event, EventType
from tests.demo import event_record, row_counts

DATA = Path(__file__).resolve().parents[1] / "data" / "coded"
GDELT = DATA / "gdelt-20161013151500.export.CSV"
PLOVER = DATA / "plover-gsr-cameo.json"
GAZETTEER = Path(__file__).resolve().parents[2] / "events" / "gazetteer" / "actors.json"

# The GDELT sample's Russia-United States rows in the taxonomy: 043 and 042 meetings, 046 talks.
GDELT_DYAD = [
    "gdelt-588607470",
    "gdelt-588607474",
    "gdelt-588607475",
    "gdelt-588608061",
    "gdelt-588608062",
    "gdelt-588608063",
    "gdelt-588608183",
    "gdelt-588608184",
]


@pytest.fixture
def gazetteer(db):
    import_document(json.loads(GAZETTEER.read_text(encoding="utf-8")))


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_events", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_the_gdelt_rows_of_the_dyad_as_drafts(gazetteer):
    out, err = run("--from", "gdelt", "--actor", "united-states", "--actor", "russia", GDELT)
    assert err == ""
    drafts = Event.objects.filter(pk__startswith="gdelt-")
    assert sorted(drafts.values_list("pk", flat=True)) == GDELT_DYAD
    assert set(drafts.values_list("review_state", flat=True)) == {"draft"}
    talks = Event.objects.get(pk="gdelt-588607474")
    assert talks.type_id == "talks"
    assert (talks.start.isoformat(), talks.start_precision) == ("2016-10-13", "day")
    assert sorted(talks.participants.values_list("actor_id", "role")) == [
        ("russia", "initiator"),
        ("united-states", "target"),
    ]
    assert sorted(talks.tags.values_list("slug", flat=True)) == ["cameo-046", "origin-gdelt"]
    assert list(talks.citations.values_list("source__url", flat=True)) == [
        "http://www.independentsentinel.com/jill-steins-second-choice-for-president-is-definitely-not-hillary-clinton/"
    ]
    assert talks.summary.startswith("GDELT event 588607474: CAMEO 046, Goldstein 7.0, Actor1 RUSSIA (RUS)")
    assert Event.objects.get(pk="gdelt-588608061").type_id == "meeting"
    assert out.splitlines()[-1].endswith(
        "imported 8 drafts, 0 imported before, 0 bad rows, 18 outside the taxonomy, "
        "4 with a side not in the gazetteer, 2 of other actors"
    )
    assert talks.history.first().history_change_reason == f"import_events --from gdelt {GDELT.name}"


def test_a_second_run_of_the_same_file_changes_nothing(gazetteer):
    run("--from", "gdelt", "--actor", "russia", "--actor", "united-states", GDELT)
    Event.objects.filter(pk="gdelt-588607474").update(title="Corrected by a curator")
    before = row_counts()
    out, _ = run("--from", "gdelt", "--actor", "russia", "--actor", "united-states", GDELT)
    assert row_counts() == before
    assert Event.objects.get(pk="gdelt-588607474").title == "Corrected by a curator"
    assert "imported 0 drafts, 8 imported before" in out


def test_each_draft_names_the_stored_events_it_may_repeat(gazetteer):
    import_document({"actors": [], "events": [event_record("us-ru-talks-oct-2016", start="2016-10-13")]})
    out, _ = run("--from", "gdelt", "--actor", "russia", "--actor", "united-states", GDELT)
    lines = {line.split(":")[0]: line for line in out.splitlines()}
    assert lines["gdelt-588607474"].endswith("; may repeat us-ru-talks-oct-2016")
    # A meeting is of another type family: not the stored talks.
    assert "may repeat" not in lines["gdelt-588608061"]


def test_a_dry_run_writes_nothing(gazetteer):
    before = row_counts()
    out, _ = run("--from", "gdelt", "--dry-run", GDELT)
    assert row_counts() == before
    # Without --actor, every event whose two sides resolve: the dyad's 8, and Russia and Ukraine's two 040.
    assert "would import 10 drafts" in out


def test_bad_rows_are_named_and_the_others_imported(gazetteer, tmp_path):
    lines = GDELT.read_text(encoding="utf-8").splitlines()
    lines[4] = "\t".join(lines[4].split("\t")[:30])  # a row cut short
    lines[8] = lines[8].replace("\t20161013\t", "\t20161345\t", 1)  # a day that does not exist
    lines[9] = lines[9].rsplit("\t", 1)[0] + "\thttp://example.org:99999/port-out-of-range"
    path = tmp_path / "cut.export.CSV"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = run("--from", "gdelt", "--actor", "russia", "--actor", "united-states", path)
    assert err.splitlines() == [
        f"{path}: line 5: 30 columns, 61 expected",
        f"{path}: line 9: SQLDATE: '20161345' is not a date (YYYYMMDD)",
        f"{path}: line 10: event 588607475: source URL 'http://example.org:99999/port-out-of-range' is not a URL",
        f"{path}: 3 bad rows left out",
    ]
    assert Event.objects.filter(pk__startswith="gdelt-").count() == 5


def test_a_file_of_another_format_imports_nothing(gazetteer):
    before = row_counts()
    with pytest.raises(CommandError, match="not a GDELT 2.0 events export: its first row has 1 tab-separated"):
        run("--from", "gdelt", PLOVER)
    with pytest.raises(CommandError, match="not PLOVER JSON"):
        run("--from", "polecat", GDELT)
    with pytest.raises(CommandError, match="not an ACLED CSV export: no column event_id_cnty"):
        run("--from", "acled", GDELT)
    assert row_counts() == before


def test_it_imports_the_plover_records_whose_two_sides_are_in_the_gazetteer(gazetteer):
    out, err = run("--from", "polecat", PLOVER)
    assert err == ""
    drafts = dict(Event.objects.filter(pk__startswith="polecat-").values_list("pk", "type_id"))
    assert drafts["polecat-plover-gsr01-consult-0002"] == "talks"  # CONSULT / phone
    assert drafts["polecat-plover-gsr01-consult-0001"] == "meeting"  # CONSULT / visit
    assert drafts["polecat-plover-gsr01-sanction-0003"] == "sanctions.imposed"
    assert drafts["polecat-plover-gsr01-agree-0022"] == "proposal"
    assert "polecat-plover-gsr01-demand-0001" not in drafts  # DEMAND: outside the taxonomy
    # "JAP" is no ISO code (Japan is JPN): that record's side is not found.
    assert "polecat-plover-gsr01-consult-0005" not in drafts
    consult = Event.objects.get(pk="polecat-plover-gsr01-consult-0002")
    assert sorted(consult.participants.values_list("actor_id", "role")) == [
        ("russia", "participant"),
        ("united-states", "participant"),
    ]
    assert sorted(consult.tags.values_list("slug", flat=True)) == ["origin-polecat", "plover-consult-phone"]
    before = row_counts()
    run("--from", "polecat", PLOVER)
    assert row_counts() == before


def test_the_plover_dyad_is_kept_in_any_order(gazetteer):
    run("--from", "polecat", "--actor", "united-states", "--actor", "russia", PLOVER)
    assert sorted(Event.objects.values_list("pk", flat=True)) == [
        "polecat-plover-gsr01-agree-0022",
        "polecat-plover-gsr01-consult-0002",
        "polecat-plover-gsr01-consult-0007",
        "polecat-plover-gsr01-support-0004",
    ]


# No ACLED export is published under a licence that lets it be copied here (tests/data/coded/README.md):
# these rows are written for the test, in the columns of ACLED's export, and say so.
ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
    "inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
    "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp"
)
ACLED_ROWS = [
    "TEST1,2023-03-02,2023,1,Strategic developments,Strategic developments,Agreement,Government of Russia (2000-),,"
    "1,Government of the United States (2021-),,1,11,,643,Europe,Russia,Moscow,,,Moscow,55.75,37.62,1,"
    "Written for a test,National,Constructed row: not ACLED data.,0,,0",
    "TEST2,2023-03-05,2023,3,Strategic developments,Strategic developments,Agreement,Government of Russia (2000-),,"
    "1,Government of Turkiye (2002-),,1,11,,643,Europe,Russia,Moscow,,,Moscow,55.75,37.62,1,"
    "Written for a test,National,Constructed row: not ACLED data.,0,,0",
    "TEST3,2023-03-06,2023,1,Protests,Protests,Peaceful protest,Protesters (Russia),,6,,,0,60,,643,Europe,Russia,"
    "Moscow,,,Moscow,55.75,37.62,1,Written for a test,National,Constructed row: not ACLED data.,0,,0",
    "TEST4,6 March 2023,2023,7,Strategic developments,Strategic developments,Agreement,Government of Russia (2000-),,"
    "1,Government of Turkiye (2002-),,1,11,,643,Europe,Russia,Moscow,,,Moscow,55.75,37.62,1,"
    "Written for a test,National,Constructed row: not ACLED data.,0,,0",
]


def test_it_imports_acled_agreements_of_states_it_finds_by_name(gazetteer, tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text("\n".join([ACLED_HEADER, *ACLED_ROWS]) + "\n", encoding="utf-8")
    out, err = run("--from", "acled", path)
    assert err.splitlines() == [
        f"{path}: line 5: event TEST4: time_precision: '7' is not 1, 2 or 3",
        f"{path}: 1 bad row left out",
    ]
    assert sorted(Event.objects.values_list("pk", "type_id", "start_precision")) == [
        ("acled-test1", "agreement", "day"),
        ("acled-test2", "agreement", "month"),
    ]
    assert sorted(Event.objects.get(pk="acled-test1").participants.values_list("actor_id", flat=True)) == [
        "russia",
        "united-states",
    ]


@pytest.mark.django_db
def test_the_mapping_uses_the_codes_of_the_taxonomy():
    """Each code mapped to a type is that type's own CAMEO or PLOVER code in the taxonomy, or is
    documented in docs/taxonomy.md's row of the type as a judgement."""
    types = {t.code: t for t in EventType.objects.all()}
    taxonomy = (Path(__file__).resolve().parents[2] / "docs" / "taxonomy.md").read_text(encoding="utf-8")
    for code, type_code in codes.CAMEO.items():
        assert type_code in types
        row = next(line for line in taxonomy.splitlines() if line.startswith(f"| `{type_code}` "))
        assert code in row, (code, type_code)
    for (plover, mode), type_code in codes.PLOVER.items():
        assert type_code in types
        assert types[type_code].plover_type == plover or type_code in codes.JUDGEMENT, (plover, type_code)
        if mode not in (None, codes.ANY):
            assert types[type_code].plover_mode == mode, (plover, mode, type_code)
