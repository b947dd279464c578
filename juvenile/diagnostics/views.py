"""Recording assessments and reading their results."""

from flask import Blueprint

bp = Blueprint("diagnostics", __name__)
