"""The audit trail, read-only: there is no route that edits or deletes an entry."""

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from forms.audit import AuditFilterForm
from juvenile.access import allow
from juvenile.audit import queries
from juvenile.audit.labels import action_label, object_label
from juvenile.audit.models import AuditEntry

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@allow("view_audit")
def entries():
    filters = AuditFilterForm(request.args)
    actions = queries.distinct_values(current_user, AuditEntry.action)
    kinds = queries.distinct_values(current_user, AuditEntry.object_type)
    filters.action.choices = [("", _("Any action")), *[(a, action_label(a)) for a in actions]]
    filters.object_type.choices = [("", _("Any record")),
                                   *[(t, object_label(t)) for t in kinds]]
    valid = filters.validate()
    page = queries.entries_page(
        current_user,
        actor=filters.actor.data,
        action=filters.action.data,
        object_type=filters.object_type.data,
        date_from=filters.date_from.data if valid else None,
        date_to=filters.date_to.data if valid else None,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["AUDIT_PAGE_SIZE"],
    )
    return render_template("audit/entries.html", filters=filters, page=page,
                           action_label=action_label, object_label=object_label)
