"""Command-line entry points: ``flask --app juvenile start`` and ``… demo``."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask_migrate import downgrade, upgrade
from werkzeug.serving import run_simple

from juvenile.extensions import db

LOGINS_FILE = "demo-logins.txt"


def _logins_path() -> Path:
    return Path(current_app.instance_path) / LOGINS_FILE


def _load_demo(password: str | None = None) -> str:
    """Build the demo region, commit it, and keep its logins in the instance folder."""
    from juvenile.demo.builder import build_demo_region, printed_logins

    demo = build_demo_region(password)
    db.session.commit()
    lines = [f"{role}: {login}  ({org})" for role, login, org in printed_logins(demo)]
    text = "\n".join([*lines, f"Password for every demo account: {demo.password}"])
    path = _logins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(0o600)
    return text


def init_app(app: Flask) -> None:
    @app.cli.command("demo")
    @click.option("--reset", is_flag=True,
                  help="Erase every table first. Refused without it when data exist.")
    @click.option("--password", default=None, help="Password for all demo accounts.")
    def demo_command(reset: bool, password: str | None) -> None:
        """Load the demo Jambyl region into an empty database."""
        from juvenile.demo.builder import database_is_empty

        upgrade()
        if not database_is_empty():
            if not reset:
                raise click.ClickException(
                    "The database already holds data; the demo refuses to mix with it. "
                    "Run again with --reset to erase everything and load the demo."
                )
            db.session.remove()
            downgrade(revision="base")
            upgrade()
        click.echo(_load_demo(password))

    @app.cli.command("bootstrap")
    @click.option("--admin-login", required=True, help="Login of the first administrator.")
    @click.option("--admin-name", required=True, help="Full name of the first administrator.")
    def bootstrap_command(admin_login: str, admin_name: str) -> None:
        """Production's first step: Jambyl region, its districts, the regional bodies and
        one administrator with a one-time password. Refused on a database with data."""
        from juvenile.demo.builder import bootstrap_region, database_is_empty
        from juvenile.diagnostics.library import ensure_library

        upgrade()
        if not database_is_empty():
            raise click.ClickException("The database already holds data: nothing done.")
        password = bootstrap_region(admin_login, admin_name)
        ensure_library()
        db.session.commit()
        click.echo(f"Administrator {admin_login.strip().lower()} created.")
        click.echo(f"One-time password (to be replaced at first sign-in): {password}")

    @app.cli.command("start")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    def start_command(host: str, port: int) -> None:
        """Migrate the database, load the demo region when it is empty, and serve the app."""
        from juvenile.demo.builder import database_is_empty

        upgrade()
        if database_is_empty():
            click.echo("Empty database: loading the demo Jambyl region…")
            _load_demo()
        if _logins_path().exists():
            click.echo(f"\nDemo logins (also in {_logins_path()}):")
            click.echo(_logins_path().read_text(encoding="utf-8"))
        click.echo(f"Serving on http://{host}:{port}  (Ctrl+C stops)")
        # flask's own `run` refuses to start from inside another CLI command.
        run_simple(host, port, app, threaded=True)

    from juvenile.reports.cli import report_command  # the monthly report for automation
    app.cli.add_command(report_command)
