"""Working a case: specialist assignment, stages, extension, closure, incidents, transfer."""

from flask import Blueprint

bp = Blueprint("workflow", __name__)
