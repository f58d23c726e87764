"""Command-line groups, registered on the app by the factory. Each command is a thin door into services."""
from flask import Flask


def register_commands(app: Flask) -> None:
    from app.cli.demo import demo_cli
    from app.cli.devstack import devstack_command
    from app.cli.mail import mail_cli
    from app.cli.policy import policy_cli
    from app.cli.provider import provider_cli
    from app.cli.scheduler import scheduler_command
    from app.cli.users import users_cli
    from app.cli.worker import worker_command

    for command in (users_cli, demo_cli, policy_cli, provider_cli, worker_command, devstack_command, mail_cli,
                    scheduler_command):
        app.cli.add_command(command)
