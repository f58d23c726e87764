"""`flask users ...`: create accounts and print API tokens."""
import click
from flask.cli import AppGroup

from app.auth import services
from app.auth.models import Role
from app.errors import ValidationError
from app.extensions import db

users_cli = AppGroup("users", help="Manage accounts and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="Display name (defaults to the email's local part).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CUSTOMER.value)
@click.password_option(help="Prompted for when not given.")
def create(email: str, name: str, role: str, password: str):
    """Create an account."""
    try:
        user = services.create_user(email, password, name, Role(role), email_verified=True)
    except ValidationError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="cli", help="What the token is for.")
def token(email: str, label: str):
    """Print a new API token for EMAIL (only its hash is stored: copy it now)."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account {email}")
    value = services.issue_api_token(user, label)
    db.session.commit()
    click.echo(value)
