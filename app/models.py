"""Every feature's models in one import, for Alembic autogenerate and the shell. Defines nothing."""
from app.auth.models import ApiToken, Role, User  # noqa: F401
from app.orders.models import Order  # noqa: F401
from app.providers.models import Provider, Service  # noqa: F401
from app.tickets.models import Attachment, AuditEvent, CannedReply, Message, Ticket  # noqa: F401
from app.settings.models import Setting  # noqa: F401
from app.triage.models import Approval, Verdict  # noqa: F401
from app.actions.models import Action  # noqa: F401
from app.wallet.models import LedgerEntry  # noqa: F401
from app.reports.models import ScreenshotMatch  # noqa: F401  (and the report indexes)
from app.intake.models import IntakeMessage  # noqa: F401
from app.mail.models import OutgoingEmail  # noqa: F401
