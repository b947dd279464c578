"""The home page: each role lands on the view of its own scope."""

from flask import Blueprint, render_template
from flask_login import current_user

from juvenile.access import has_rule, is_regional, signed_in
from juvenile.accounts.models import OrganisationKind, Role
from juvenile.audit.labels import action_label, object_label
from juvenile.main import queries
from juvenile.reports import queries as report_queries

bp = Blueprint("main", __name__)


@bp.route("/")
@signed_in
def home():
    user = current_user
    context = {
        "kind_counts": [(OrganisationKind(kind).label, orgs, people)
                        for kind, orgs, people in queries.kind_counts(user)],
        "regional": is_regional(user),
        "district": user.organisation.district,
        "colleagues": [] if user.role_enum in queries.DISTRICT_SCOPED or is_regional(user)
        else queries.colleagues(user),
        "recent_audit": queries.recent_audit(user) if has_rule(user, "view_audit") else [],
        "awaiting": queries.awaiting_first_sign_in() if user.role_enum is Role.ADMIN else None,
        "reports_waiting": report_queries.waiting_for_decision(user)
        if user.role_enum is Role.COMMISSION_MEMBER else None,
        "action_label": action_label,
        "object_label": object_label,
    }
    return render_template("main/home.html", **context)
