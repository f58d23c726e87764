"""Approve/override forms on the ticket page, and the admin's policy settings form."""
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.tickets.forms import choices

OVERRIDE_DECISIONS = [("credit", "Credit"), ("cancel", "Cancel, then credit"), ("refill", "Refill"), ("deny", "Deny")]


class ApproveForm(FlaskForm):
    order_id = HiddenField()


class OverrideForm(FlaskForm):
    order_id = HiddenField()
    decision = SelectField("Decision", choices=choices(OVERRIDE_DECISIONS))
    amount = StringField("Amount", validators=[Optional(), Length(max=24)])
    note = TextAreaField("Why (required)", validators=[DataRequired(message="Say why you override."), Length(max=2000)])


class PolicySettingsForm(FlaskForm):
    policy = SelectField("Active policy", validate_choice=False)
    credit = DecimalField("Auto-approve credits up to", places=5, validators=[Optional()])
    cancel = DecimalField("Auto-approve cancels up to", places=5, validators=[Optional()])
    refill = DecimalField("Auto-approve refills (any amount when set)", places=5, validators=[Optional()])
