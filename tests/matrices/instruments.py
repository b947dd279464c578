"""The instrument library: psychologists read it, the regional methodologist edits it."""

from juvenile.accounts.models import Role

MATRIX = {
    "instruments.library": frozenset({Role.METHODOLOGIST, Role.PSYCHOLOGIST}),
    "instruments.instrument": frozenset({Role.METHODOLOGIST, Role.PSYCHOLOGIST}),
    "instruments.edit": frozenset({Role.METHODOLOGIST}),
}


def make_instrument(db):
    """The shipped library (idempotent); returns the id of one instrument, for the targets."""
    from sqlalchemy import select

    from juvenile.diagnostics.library import ensure_library
    from juvenile.diagnostics.models import Instrument

    ensure_library()
    db.session.commit()
    return db.session.scalar(select(Instrument.id).where(Instrument.code == "phillips"))
