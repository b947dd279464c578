from flask import Blueprint

bp = Blueprint("education", __name__)
