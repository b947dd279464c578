"""Read paths of the case file: finding minors, and what the case page shows.

The case page's number of queries is fixed: it does not grow with the length of the
timeline or the number of enrolments, representatives or incidents.
"""

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from juvenile import access
from juvenile.accounts.models import Organisation, User
from juvenile.cases.models import (
    CaseEvent,
    Enrolment,
    Incident,
    LegalRepresentative,
    Minor,
    TargetGroup,
    Transfer,
    TransferStatus,
    enrolment_groups,
)
from juvenile.extensions import db
from juvenile.pagination import Page, paginate


def _prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped.lower()}%"


def minors_page(user: User, q: str | None, page: int, per_page: int) -> Page:
    """Minors in the user's scope as (Minor, school, open enrolment's stage or None).

    Digits search the IIN exactly; words search the beginnings of the surname or the
    given name, case-insensitively (every word must match one of them).
    """
    stmt = (
        select(Minor, Organisation, Enrolment.stage)
        .join(Organisation, Minor.organisation_id == Organisation.id)
        .outerjoin(Enrolment, and_(Enrolment.minor_id == Minor.id,
                                   Enrolment.closed_on.is_(None)))
        .where(access.case_scope(user, Minor))
        .order_by(Minor.surname, Minor.given_name, Minor.id)
    )
    q = (q or "").strip()
    if q.isdigit():
        stmt = stmt.where(Minor.iin == q)
    elif q:
        for word in q.split()[:3]:
            pattern = _prefix(word)
            stmt = stmt.where(or_(func.lower(Minor.surname).like(pattern, escape="\\"),
                                  func.lower(Minor.given_name).like(pattern, escape="\\")))
    return paginate(stmt, page, per_page, scalars=False)


@dataclass
class EnrolmentView:
    enrolment: Enrolment
    groups: list[TargetGroup]

    @property
    def has_police_details(self) -> bool:
        return bool({TargetGroup.PREVENTIVE_REGISTRATION,
                     TargetGroup.RELEASED_FROM_DETENTION} & set(self.groups))

    @property
    def has_release_details(self) -> bool:
        return TargetGroup.RELEASED_FROM_DETENTION in self.groups


@dataclass
class CaseFile:
    minor: Minor
    school: Organisation
    representatives: list[LegalRepresentative]
    #: The open enrolment, if the minor is in the programme now.
    current: EnrolmentView | None
    #: Closed enrolments, newest first: the history a re-enrolment keeps.
    history: list[EnrolmentView]
    pending_transfer: Transfer | None
    incidents: list[Incident]
    #: One page of (CaseEvent, actor's name), newest first.
    timeline: Page


def _enrolments(minor: Minor) -> list[EnrolmentView]:
    enrolments = list(db.session.scalars(
        select(Enrolment).where(Enrolment.minor_id == minor.id)
        .options(joinedload(Enrolment.responsible), selectinload(Enrolment.coworkers))
        .order_by(Enrolment.enrolled_on.desc(), Enrolment.id.desc())))
    groups: dict[int, list[TargetGroup]] = {e.id: [] for e in enrolments}
    if enrolments:
        rows = db.session.execute(
            select(enrolment_groups.c.enrolment_id, enrolment_groups.c.target_group)
            .where(enrolment_groups.c.enrolment_id.in_(list(groups)))
            .order_by(enrolment_groups.c.target_group))
        for enrolment_id, group in rows:
            groups[enrolment_id].append(TargetGroup(group))
    return [EnrolmentView(e, groups[e.id]) for e in enrolments]


def timeline_page(minor: Minor, user: User, kind: str | None, page: int,
                  per_page: int) -> Page:
    """The minor's timeline, newest first; clinical lines only for those who may see them."""
    stmt = (
        select(CaseEvent, User.full_name)
        .outerjoin(User, CaseEvent.actor_id == User.id)
        .where(CaseEvent.minor_id == minor.id)
        .order_by(CaseEvent.occurred_on.desc(), CaseEvent.id.desc())
    )
    if not access.sees_clinical(user):
        stmt = stmt.where(CaseEvent.clinical.is_(False))
    allowed = access.timeline_kinds_for(user)
    if allowed is not None:
        stmt = stmt.where(CaseEvent.kind.in_(sorted(allowed)))
    if kind:
        stmt = stmt.where(CaseEvent.kind == kind)
    return paginate(stmt, page, per_page, scalars=False)


def case_file(minor: Minor, user: User, kind: str | None, page: int,
              per_page: int) -> CaseFile:
    """Everything the case page shows, in a fixed number of queries."""
    enrolments = _enrolments(minor)
    current = next((view for view in enrolments if view.enrolment.is_open), None)
    school = db.session.get(Organisation, minor.organisation_id)
    representatives = list(db.session.scalars(
        select(LegalRepresentative).where(LegalRepresentative.minor_id == minor.id)
        .order_by(LegalRepresentative.id)))
    transfer = db.session.scalar(
        select(Transfer).options(joinedload(Transfer.to_organisation))
        .where(Transfer.minor_id == minor.id,
               Transfer.status == TransferStatus.PENDING.value))
    incidents = list(db.session.scalars(
        select(Incident).where(Incident.minor_id == minor.id)
        .order_by(Incident.occurred_on.desc(), Incident.id.desc())))
    return CaseFile(
        minor=minor, school=school, representatives=representatives, current=current,
        history=[view for view in enrolments if not view.enrolment.is_open],
        pending_transfer=transfer, incidents=incidents,
        timeline=timeline_page(minor, user, kind, page, per_page))
