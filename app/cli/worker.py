"""`flask worker`: an RQ worker with the app loaded, for this or any other machine."""
import click
from flask import current_app
from flask.cli import with_appcontext

from workers.runner import run_worker


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker_command(queues, burst):
    """Work jobs from QUEUES (default: all desk queues, most urgent first)."""
    run_worker(current_app._get_current_object(), list(queues) or None, burst=burst)
