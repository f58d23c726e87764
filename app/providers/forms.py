"""The admin's provider form. The key field is write-only: it is never filled back in."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional


class ProviderForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    api_url = StringField("API URL", validators=[DataRequired(), Length(max=500)],
                          description="The provider's SMM API v2 endpoint, e.g. https://provider.example/api/v2")
    api_key = PasswordField("API key", validators=[Optional(), Length(max=255)],
                            description="Stored, never shown again. Leave empty to keep the current key.")
    is_active = BooleanField("Active (poll its orders and send it refills and cancels)", default=True)
