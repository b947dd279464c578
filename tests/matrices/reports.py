"""The monthly reports: the index, a report of a scope and month, its narrative,
submission, the commission's decision, versions, recomputation, downloads; baselines."""

from juvenile.accounts.models import Role

VIEW = frozenset({Role.SCHOOL_ADMIN, Role.DISTRICT_COORDINATOR, Role.COMMISSION_MEMBER,
                  Role.METHODOLOGIST})
WRITE = frozenset({Role.SCHOOL_ADMIN, Role.DISTRICT_COORDINATOR, Role.METHODOLOGIST})
REVIEW = frozenset({Role.COMMISSION_MEMBER})
BASELINES = frozenset({Role.DISTRICT_COORDINATOR, Role.METHODOLOGIST})

MATRIX = {
    "reports.index": VIEW,
    "reports.report": VIEW,
    "reports.report_pdf": VIEW,
    "reports.report_xlsx": VIEW,
    "reports.edit_narrative": WRITE,
    "reports.submit": WRITE,
    "reports.decide": REVIEW,
    "reports.submission": VIEW,
    "reports.submission_pdf": VIEW,
    "reports.submission_xlsx": VIEW,
    "reports.recompute": VIEW,
    "reports.baselines": BASELINES,
}


def submitted_school_report(db, world, work_done="Жұмыс жасалды."):
    """Last month's report of school1 (district D1), written and submitted by its deputy
    head: every role that reads reports in D1 reaches it."""
    from juvenile.cases.dates import today
    from juvenile.reports import queries, services
    from juvenile.reports.indicators import Scope
    from juvenile.reports.models import ScopeKind

    day = today()
    admin = world.users["school_admin"]
    place = queries.resolve_scope(Scope(ScopeKind.SCHOOL, world.orgs["school1"].id))
    report = services.open_report(admin, place, services.last_finished_month(day))
    services.update_narrative(admin, report, {"work_done": work_done}, report.version)
    services.submit_report(admin, report, report.version, day)
    db.session.commit()
    return report


def make_targets(db, world, case) -> dict:
    report = submitted_school_report(db, world)
    return {"report_id": report.id, "report_scope": report.scope_key,
            "report_month": f"{report.month:%Y-%m}", "submission_number": 1}
