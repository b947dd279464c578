"""E-mail alerts of the safety protocol, sent with smtplib when MAIL_SERVER is configured.

Services queue messages on the database session; they leave only after the transaction
commits (a refused or rolled-back change sends nothing), and a mail server that fails
never undoes the protocol's records: the page banner is the alert of record, e-mail a
copy. Messages name the minor by surname and initial and carry no clinical detail.
"""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from juvenile.accounts.models import Organisation, Role, User
from juvenile.extensions import db

log = logging.getLogger(__name__)
OUTBOX = "crisis_outbox"


def enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _episode_link(episode_id: int) -> str:
    if has_request_context():
        return url_for("crisis.episode", episode_id=episode_id, _external=True)
    return f"/episodes/{episode_id}"


def _queue(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    settings = {name: config.get(name) for name in (
        "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS")}
    db.session.info.setdefault(OUTBOX, []).append((settings, message))


def _locale(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def queue_crisis_alert(recipients: list[User], episode, minor_label: str) -> None:
    """The alert to the responsible specialist and the deputy head."""
    link = _episode_link(episode.id)
    for user in recipients:
        if not user.email:
            continue
        with force_locale(_locale(user)):
            subject = _("Crisis: %(minor)s", minor=minor_label)
            body = _("The crisis flag of %(minor)s's case is raised (%(severity)s). "
                     "Follow the safety protocol now and acknowledge the alert: %(link)s",
                     minor=minor_label, severity=_severity(episode.severity), link=link)
        _queue(user.email, subject, body)


def queue_escalation(episode, minor_label: str, overdue_keys: list[str]) -> None:
    """The district coordinators hear of a missed protocol deadline."""
    from juvenile.diagnostics.protocol import STEP_LABELS

    coordinators = db.session.scalars(select(User).join(User.organisation).where(
        User.role == Role.DISTRICT_COORDINATOR.value, User.is_enabled.is_(True),
        User.email.is_not(None), Organisation.district_id == episode.district_id))
    link = _episode_link(episode.id)
    for user in coordinators:
        with force_locale(_locale(user)):
            subject = _("Crisis protocol overdue: %(minor)s", minor=minor_label)
            body = _("A safety protocol deadline was missed in %(minor)s's case. Overdue: "
                     "%(items)s. %(link)s", minor=minor_label, link=link,
                     items="; ".join(str(STEP_LABELS[key]) for key in overdue_keys))
        _queue(user.email, subject, body)


def _severity(severity: str) -> str:
    from juvenile.diagnostics.protocol import SEVERITY_LABELS

    return str(SEVERITY_LABELS[severity])


def _send(settings: dict, message: EmailMessage) -> None:
    with smtplib.SMTP(settings["MAIL_SERVER"], settings["MAIL_PORT"], timeout=10) as smtp:
        if settings["MAIL_USE_TLS"]:
            smtp.starttls()
        if settings["MAIL_USERNAME"]:
            smtp.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    for settings, message in session.info.pop(OUTBOX, []):
        try:
            _send(settings, message)
        except (OSError, smtplib.SMTPException):
            log.exception("crisis alert to %s not sent", message["To"])


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(OUTBOX, None)
