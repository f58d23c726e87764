"""`flask scheduler`: fires the periodic jobs (app.scheduling); run one or more, anywhere."""
import click
from flask import current_app
from flask.cli import with_appcontext

from app.scheduling import periodic_jobs, run_scheduler, tick


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Tick once and exit (for cron or a health check).")
@click.option("--list", "show", is_flag=True, help="List the periodic jobs and exit.")
@with_appcontext
def scheduler_command(once: bool, show: bool):
    """Enqueue each periodic job once per interval; safe with many schedulers (a Redis lock per slot)."""
    app = current_app._get_current_object()
    if show:
        for job in periodic_jobs(app):
            click.echo(f"{job.name:16} every {job.every:>5}s  {job.job_path} on {job.queue}")
        return
    if once:
        click.echo(", ".join(tick(app)) or "nothing due")
        return
    try:
        run_scheduler(app)
    except KeyboardInterrupt:
        pass
