"""Sign-up and login forms: shape only; the services decide."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.auth.services import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    remember = BooleanField("Keep me logged in")


class SignupForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        "Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=10, max=256, message="Use 10 to 256 characters.")],
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", message="The passwords differ.")]
    )


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ForgotPasswordForm(FlaskForm):
    # No syntax check beyond the length: accounts made from inbound email may use any address
    email = EmailField("Email", filters=[_strip], validators=[DataRequired(), Length(max=254)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256,
                                           message=f"Use {MIN_PASSWORD_LENGTH} to 256 characters.")],
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", message="The passwords differ.")]
    )


class ConfirmForm(FlaskForm):
    """A button with its CSRF token: confirming an address, or asking for the link again."""
