"""The machine-coded datasets' event codes, mapped to Chancery's types (docs/taxonomy.md).

Declared once, from the taxonomy's own table: each type's CAMEO and PLOVER codes. Where two of our
types share a code (163 is both `sanctions.imposed` and `flights.ban`; 161 both `missions.closed`
and `diplomats.staff_limits`; 085 both `sanctions.lifted` and `flights.resumed`), the code goes to the
type whose mapping is the standard's, not our judgement: a machine coder cannot tell them apart, and
the curator corrects the draft. Codes not listed here fall outside Chancery's taxonomy: their events
are left out.
"""

# CAMEO event code (GDELT's EventCode, leading zeros kept) -> type.
CAMEO = {
    "010": "statement",
    "036": "proposal",
    "040": "meeting.summit",
    "042": "meeting",
    "043": "meeting",
    "044": "meeting",
    "046": "talks",
    "050": "missions.reopened",  # judgement
    "057": "agreement",
    "0842": "property.return",  # judgement: to verify in the CAMEO codebook
    "085": "sanctions.lifted",
    "161": "missions.closed",
    "163": "sanctions.imposed",
    "166": "diplomats.expelled",
    "1711": "property.seizure",
}

ANY = "*"
# PLOVER (type, mode) -> type. A mode of None is the type coded without a mode; ANY is the type with
# a mode not listed, or none.
PLOVER = {
    ("CONSULT", "visit"): "meeting",
    ("CONSULT", "multilateral"): "meeting.summit",
    ("CONSULT", ANY): "talks",
    ("AGREE", ANY): "proposal",
    ("SUPPORT", ANY): "agreement",
    ("SANCTION", "discontinue"): "sanctions.imposed",
    ("SANCTION", None): "sanctions.imposed",
    ("SANCTION", "expel"): "diplomats.expelled",
    ("SANCTION", "withdraw"): "missions.closed",
    ("RETREAT", "ease"): "sanctions.lifted",
    ("RETREAT", ANY): "property.return",  # judgement
    ("COERCE", "seize"): "property.seizure",
}

# ACLED's sub-event types: the one of Chancery's kind (its "Strategic developments").
ACLED = {
    "Agreement": "agreement",
}

# The types whose CAMEO or PLOVER mapping docs/taxonomy.md marks as our judgement, not the standard's.
JUDGEMENT = {"missions.reopened", "property.return", "flights.resumed", "diplomats.staff_limits"}


def cameo_type(event_code, base_code=""):
    """Chancery's type for a CAMEO code (its base code as a fallback), or None."""
    return CAMEO.get(event_code) or CAMEO.get(base_code)


def plover_type(event_type, mode=None):
    """Chancery's type for a PLOVER type and mode (any case), or None."""
    event_type = (event_type or "").upper()
    mode = (mode or "").lower() or None
    return PLOVER.get((event_type, mode)) or PLOVER.get((event_type, ANY))


def acled_type(sub_event_type):
    return ACLED.get((sub_event_type or "").strip())
