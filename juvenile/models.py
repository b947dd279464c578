"""Every domain's models, imported together so the metadata (and Alembic) sees them all."""

from juvenile.accounts.models import (  # noqa: F401
    District,
    LoginFailure,
    Organisation,
    Region,
    User,
)
from juvenile.audit.models import AuditEntry  # noqa: F401
from juvenile.cases.models import (  # noqa: F401
    CaseEvent,
    Enrolment,
    Incident,
    LegalRepresentative,
    Minor,
    Placement,
    StageMove,
    Transfer,
)
from juvenile.diagnostics.models import (  # noqa: F401
    Assessment,
    CrisisEpisode,
    CrisisStep,
    FamilyAnalysis,
    Instrument,
    InstrumentVersion,
    PortraitConclusion,
    SafetyPlan,
)
from juvenile.education.models import (  # noqa: F401
    EducationRecord,
    Employment,
    MonthlyAttendance,
    QuarterlyProgress,
)
from juvenile.familywork.models import LegalMeasure, LivingConditionsAct  # noqa: F401
from juvenile.irp.models import Activity, IrpVersion, Occurrence  # noqa: F401
from juvenile.leisure.models import LeisureInvolvement  # noqa: F401
from juvenile.reports.models import (  # noqa: F401
    MonthlyReport,
    OffendingBaseline,
    ReportSubmission,
)
from juvenile.sessions.models import GroupSession, Session  # noqa: F401
from juvenile.settings.models import RegionalSetting  # noqa: F401
