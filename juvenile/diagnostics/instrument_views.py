"""The instrument library: the methodologist edits keys and cut-offs, each edit a version."""

from flask import Blueprint

bp = Blueprint("instruments", __name__, url_prefix="/instruments")
