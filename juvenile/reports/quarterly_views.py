from flask import Blueprint

bp = Blueprint("effectiveness", __name__)
