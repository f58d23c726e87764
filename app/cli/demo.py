"""`flask demo load`: the demo panel that `make run` starts with."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.demo.emails import load_demo_emails
from app.demo.loader import DEMO_PASSWORD, database_is_empty, load_demo
from app.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
def load(if_empty: bool):
    """Build a demo panel: 2 providers, 10 services, 3 customers, ~200 orders, ~50 tickets."""
    if not database_is_empty():
        if if_empty:
            click.echo("demo: the database already has data; nothing loaded")
            return
        raise click.ClickException("the database is not empty; load the demo into a fresh database")
    counts = load_demo(current_app.config["DEMO_PROVIDER_URL"], current_app.config["DEMO_PROVIDER_KEY"])
    db.session.commit()
    outcomes = load_demo_emails()
    click.echo(f"demo: {len(outcomes)} inbound emails: {', '.join(outcomes)}")
    click.echo(f"demo: {counts['customers']} customers, {counts['orders']} orders, {counts['tickets']} tickets")
    click.echo(f"demo: log in as customer@demo.test, agent@demo.test or admin@demo.test, password {DEMO_PASSWORD}")
