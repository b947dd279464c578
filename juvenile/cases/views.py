"""The case file: minors, legal representatives, enrolment, the case page and timeline."""

from flask import Blueprint

bp = Blueprint("cases", __name__)
