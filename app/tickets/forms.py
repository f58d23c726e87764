"""Ticket forms: they check shape; the services apply the rules."""
from flask import flash
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.errors import DeskError, ValidationError
from app.tickets.models import KINDS, PRIORITIES, REASONS, STATUS_LABELS

KIND_CHOICES = [(k, k.capitalize()) for k in KINDS]
STATUS_CHOICES = list(STATUS_LABELS.items())


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class NewTicketForm(FlaskForm):
    kind = SelectField("What do you need?", choices=choices(KIND_CHOICES), validators=[DataRequired()])
    reason = SelectField("What happened?", choices=choices(REASONS.items()), validators=[DataRequired()])
    order_ids = StringField(
        "Order IDs", validators=[Optional(), Length(max=500)],
        description="One or more, separated by spaces or commas, e.g. SMM12345 SMM12346",
    )
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Describe the problem", validators=[DataRequired(), Length(max=20000)])
    screenshots = MultipleFileField(
        "Screenshots", description="Up to 5 images (PNG, JPEG, WebP or GIF), 8 MB each"
    )


class ReplyForm(FlaskForm):
    body = TextAreaField("Reply", validators=[DataRequired(message="Write a message first."), Length(max=20000)])
    screenshots = MultipleFileField("Screenshots")


class AgentReplyForm(ReplyForm):
    internal = BooleanField("Internal note (the customer does not see it)")
    status = SelectField("Then set status to", choices=choices([("", "Keep / automatic")] + STATUS_CHOICES),
                         validators=[Optional()])


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=choices(STATUS_CHOICES))


class PriorityForm(FlaskForm):
    priority = SelectField("Priority", choices=choices((p, p.capitalize()) for p in PRIORITIES))


class AssignForm(FlaskForm):
    assignee = SelectField("Assignee", choices=[], validate_choice=False)


class ActionForm(FlaskForm):
    """A CSRF-only form for one-button actions (claim)."""


def show_error(form: FlaskForm, error: DeskError) -> None:
    """Put a service's error next to the field it names, or flash it when it names none."""
    field = getattr(form, error.field, None) if isinstance(error, ValidationError) and error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        flash(error.message, "error")
