"""Interface language: Kazakh by default, Russian on request; remembered per user."""

from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user

from juvenile.extensions import babel

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )

    @app.context_processor
    def language_context():
        return {
            "current_language": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "language_names": LANGUAGE_NAMES,
        }
