"""The family environment analysis and the social-psychological portrait (HTML and PDF)."""

from flask import Blueprint

bp = Blueprint("portrait", __name__)
