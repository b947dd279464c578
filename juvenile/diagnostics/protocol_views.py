"""The suicide-risk safety protocol: alerts, checklist, safety plan, contacts, clearing."""

from flask import Blueprint

bp = Blueprint("crisis", __name__)
