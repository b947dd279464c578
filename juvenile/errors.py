"""Errors raised by services and turned into messages by views."""


class ServiceError(Exception):
    """A rule refused the change. ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    """Someone else changed the record after the form was opened."""
