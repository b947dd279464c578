"""Work lists: my work, the school's cases, the district's cases, registered minors."""

from flask import Blueprint

bp = Blueprint("worklists", __name__)
