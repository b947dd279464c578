from flask import Blueprint

bp = Blueprint("leisure", __name__)
