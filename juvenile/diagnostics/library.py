"""The instrument library: definitions shipped as JSON files, stored as versions.

Each file in ``library/`` is version 1 of one instrument. The methodologist's edits
make versions 2, 3, …; a stored version never changes, so a result keeps the key it
was scored with.
"""

import copy
import json
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from juvenile.audit import services as audit
from juvenile.diagnostics.models import Instrument, InstrumentVersion
from juvenile.diagnostics.scoring import validate_definition
from juvenile.errors import ConflictError, ServiceError, stale_record_message
from juvenile.extensions import db

LIBRARY_DIR = Path(__file__).parent / "library"


@cache
def shipped_definitions() -> tuple[dict, ...]:
    """The definitions of the files in ``library/``, in file-name order (read once)."""
    return tuple(json.loads(path.read_text(encoding="utf-8"))
                 for path in sorted(LIBRARY_DIR.glob("*.json")))


def ensure_library(actor=None) -> None:
    """Create the instruments the library ships and their version 1 where missing.

    Idempotent: an instrument already stored (by code) is left as it is.
    """
    known = set(db.session.scalars(select(Instrument.code)))
    for shipped in shipped_definitions():
        if shipped["code"] in known:
            continue
        definition = copy.deepcopy(shipped)
        instrument = Instrument(code=definition["code"], construct=definition["construct"],
                                name_kk=definition["name"]["kk"],
                                name_ru=definition["name"]["ru"])
        db.session.add(instrument)
        db.session.flush()
        version = _store(actor, instrument, 1, definition, _("Shipped with the system"))
        audit.record(actor, "create", instrument, definition["code"],
                     {"version": [None, version.number],
                      "key_verified": [None, version.key_verified]})


def _store(actor, instrument: Instrument, number: int, definition: dict,
           note: str | None) -> InstrumentVersion:
    version = InstrumentVersion(instrument_id=instrument.id, number=number,
                                definition=definition,
                                key_verified=bool(definition.get("key_verified")),
                                note=note, created_by_id=actor.id if actor else None)
    db.session.add(version)
    db.session.flush()
    return version


def current_version(instrument: Instrument) -> InstrumentVersion:
    """The newest version of the instrument: the key new results are scored with."""
    return db.session.scalars(
        select(InstrumentVersion).where(InstrumentVersion.instrument_id == instrument.id)
        .order_by(InstrumentVersion.number.desc()).limit(1)).one()


def current_versions() -> dict[int, InstrumentVersion]:
    """instrument id -> its newest version, in one query."""
    newest = (select(InstrumentVersion.instrument_id,
                     func.max(InstrumentVersion.number).label("number"))
              .group_by(InstrumentVersion.instrument_id).subquery())
    rows = db.session.scalars(select(InstrumentVersion).join(
        newest, (InstrumentVersion.instrument_id == newest.c.instrument_id)
        & (InstrumentVersion.number == newest.c.number)))
    return {version.instrument_id: version for version in rows}


def _changed_parts(old: dict, new: dict) -> dict:
    keys = sorted(set(old) | set(new))
    return {key: [old.get(key), new.get(key)] for key in keys if old.get(key) != new.get(key)}


def new_version(actor, instrument: Instrument, definition: dict, note: str,
                key_verified: bool, expected_number: int | None = None) -> InstrumentVersion:
    """Store an edited key as the instrument's next version, audited.

    ``expected_number`` is the version the editor was opened at: when someone saved a
    newer one meanwhile, the edit is refused. The code, construct and names cannot
    change; a definition without them (the editor's) takes them from the current version.
    """
    current = current_version(instrument)
    if expected_number is not None and current.number != expected_number:
        raise ConflictError(stale_record_message())
    definition = {**copy.deepcopy(definition), "key_verified": bool(key_verified),
                  "code": instrument.code, "construct": instrument.construct,
                  "name": current.definition.get("name")}
    errors = validate_definition(definition)
    if errors:
        raise ServiceError(" | ".join(errors), "definition")
    if not (note or "").strip():
        raise ServiceError(_("Say what changed and why."), "note")
    if definition == current.definition:
        raise ServiceError(_("Nothing changed: the key is the same as the current version."),
                           "definition")
    try:
        with db.session.begin_nested():
            version = _store(actor, instrument, current.number + 1, definition, note.strip())
    except IntegrityError:  # someone saved the same next number at the same instant
        raise ConflictError(stale_record_message()) from None
    changes = _changed_parts(current.definition, definition)
    audit.record(actor, "new_version", instrument,
                 f"{instrument.code} v{version.number}",
                 {"version": [current.number, version.number], **changes})
    return version
