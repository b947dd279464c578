"""The juvenile application: create_app builds it; nothing is built at import."""

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from config import CONFIGS, Config

#: The checkout root: templates/, migrations/ and forms/ sit beside the package.
ROOT = Path(__file__).resolve().parent.parent


class RecordId(IntegerConverter):
    """``<int:…>`` in every route: 0 to 2^31 − 1 (PostgreSQL's integer), else no match."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config_class: type[Config] | None = None) -> Flask:
    if config_class is None:
        config_class = CONFIGS[os.environ.get("JUVENILE_CONFIG", "development")]
    config_class.validate()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=os.environ.get("JUVENILE_INSTANCE_PATH") or str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    # Ids in URLs fit the database's integer: a larger number is a 404, not an overflow.
    app.url_map.converters["int"] = RecordId
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    _default_database_and_secret(app)
    if app.config["TRUSTED_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from juvenile.extensions import csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)

    from juvenile import cli, i18n, models, web  # noqa: F401  (models: the whole metadata)

    i18n.init_app(app)
    web.init_app(app)
    register_blueprints(app)
    cli.init_app(app)
    return app


def _default_database_and_secret(app: Flask) -> None:
    """Development defaults: an SQLite file and a secret key kept in the instance folder."""
    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'juvenile.sqlite'}"
    if not app.config.get("SECRET_KEY"):
        instance.mkdir(parents=True, exist_ok=True)
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()


def register_blueprints(app: Flask) -> None:
    from juvenile.accounts.admin_views import bp as admin_bp
    from juvenile.accounts.views import bp as auth_bp
    from juvenile.audit.views import bp as audit_bp
    from juvenile.cases.views import bp as cases_bp
    from juvenile.cases.workflow_views import bp as workflow_bp
    from juvenile.cases.worklist_views import bp as worklists_bp
    from juvenile.diagnostics.instrument_views import bp as instruments_bp
    from juvenile.diagnostics.portrait_views import bp as portrait_bp
    from juvenile.diagnostics.protocol_views import bp as crisis_bp
    from juvenile.diagnostics.views import bp as diagnostics_bp
    from juvenile.education.views import bp as education_bp
    from juvenile.familywork.views import bp as familywork_bp
    from juvenile.irp import requirements  # noqa: F401  (registers the stage requirements)
    from juvenile.irp.views import bp as irp_bp
    from juvenile.leisure.views import bp as leisure_bp
    from juvenile.main.views import bp as main_bp
    from juvenile.reports.quarterly_views import bp as effectiveness_bp
    from juvenile.reports.views import bp as reports_bp
    from juvenile.sessions.views import bp as sessions_bp
    from juvenile.settings.views import bp as settings_bp

    for blueprint in (auth_bp, main_bp, admin_bp, audit_bp, settings_bp, cases_bp,
                      workflow_bp, worklists_bp, instruments_bp, diagnostics_bp, crisis_bp,
                      portrait_bp, irp_bp, sessions_bp, familywork_bp, education_bp,
                      leisure_bp, reports_bp, effectiveness_bp):
        app.register_blueprint(blueprint)
