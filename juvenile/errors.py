"""Errors raised by services and turned into messages by views."""


class ServiceError(Exception):
    """A rule refused the change. ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    """Someone else changed the record after the form was opened."""


def stale_record_message() -> str:
    from flask_babel import gettext as _

    return _("Someone else changed this record after you opened it. "
             "Your changes were not saved: reload the page and apply them again.")


def check_version(record, expected_version: int | None) -> None:
    """Refuse a change made from a form opened at another version of the record."""
    if expected_version is not None and record.version != expected_version:
        raise ConflictError(stale_record_message())
