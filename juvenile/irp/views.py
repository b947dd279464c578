from flask import Blueprint

bp = Blueprint("irp", __name__)
