"""The audit trail, read-only: there is no route that edits or deletes an entry."""

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from forms import choices
from forms.audit import AuditFilterForm
from juvenile.access import allow
from juvenile.audit import queries
from juvenile.audit.labels import ACTION_LABELS, OBJECT_LABELS, action_label, object_label

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@allow("view_audit")
def entries():
    filters = AuditFilterForm(request.args)
    # Choices come from the known labels, not from a DISTINCT over the whole trail.
    filters.action.choices = choices(ACTION_LABELS.items(), _("Any action"))
    filters.object_type.choices = choices(OBJECT_LABELS.items(), _("Any record"))
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
