"""Leisure and socialisation: sections, clubs, mentoring, events, volunteering.

"Involved this month" is derived from the dates (juvenile.leisure.queries), never typed.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from juvenile.cases.models import _LABELS, LabelledEnum
from juvenile.cases.records import CaseRecord
from juvenile.extensions import db


class LeisureKind(LabelledEnum):
    SPORTS_SECTION = "sports_section"
    CLUB = "club"
    MENTORING = "mentoring"
    EVENT = "event"
    VOLUNTEERING = "volunteering"


_LABELS.update({
    LeisureKind: {LeisureKind.SPORTS_SECTION: _l("sports section"),
                  LeisureKind.CLUB: _l("club or hobby group"),
                  LeisureKind.MENTORING: _l("mentoring"),
                  LeisureKind.EVENT: _l("public or cultural event"),
                  LeisureKind.VOLUNTEERING: _l("volunteering")},
})


class LeisureInvolvement(CaseRecord, db.Model):
    __tablename__ = "leisure_involvements"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: The section, club, event or volunteering project.
    name: Mapped[str] = mapped_column(String(300))
    #: Who runs it (a sports school, a youth centre…).
    organiser: Mapped[str] = mapped_column(String(300), default="")
    mentor_name: Mapped[str | None] = mapped_column(String(200))
    mentor_contact: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    #: None while it goes on; an event's end is its own day.
    ends_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_leisure_involvements_district_id_starts_on", "district_id", "starts_on"),
        Index("ix_leisure_involvements_organisation_id_starts_on", "organisation_id",
              "starts_on"),
    )
