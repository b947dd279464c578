"""What every view does the same way: one service call, one commit, refusals beside fields."""

from collections.abc import Callable

from flask import request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from forms import show_service_error
from juvenile.errors import ConflictError, ServiceError, stale_record_message
from juvenile.extensions import db


def save(form, action: Callable, on_conflict: Callable[[], str] | None = None):
    """Run one service call and commit. On a refusal roll back, put the message beside its
    field (or at the top) and return (None, False); else (result, True).

    ``on_conflict`` tells the user what the record looks like now after a version clash.
    Two saves at the same instant both pass the service's version check; the row's version
    column then lets only the first write, and the second gets the same refusal.
    """
    try:
        result = action()
        db.session.commit()
    except (StaleDataError, IntegrityError):
        # a double submit, or two people saving the same thing at the same instant
        db.session.rollback()
        error: ServiceError = ConflictError(stale_record_message())
    except ServiceError as refusal:
        db.session.rollback()
        error = refusal
    else:
        return result, True
    show_service_error(form, error)
    if isinstance(error, ConflictError) and on_conflict is not None:
        form.form_errors.append(on_conflict())
    return None, False


def page_number() -> int:
    return max(request.args.get("page", 1, type=int), 1)
