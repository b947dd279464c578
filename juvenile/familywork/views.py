from flask import Blueprint

bp = Blueprint("familywork", __name__)
