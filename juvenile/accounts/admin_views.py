"""Administrator screens: organisations and accounts."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forms import ActionForm, StatusForm, choices
from forms.accounts import OrganisationFilterForm, OrganisationForm, UserFilterForm, UserForm
from juvenile.access import allow, get_or_404
from juvenile.accounts import queries, services
from juvenile.accounts.models import Organisation, OrganisationKind, Region, Role, User
from juvenile.errors import ServiceError
from juvenile.extensions import db
from juvenile.viewhelpers import page_number, save

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _kind_choices(blank: str | None = None):
    return choices([(kind.value, kind.label) for kind in OrganisationKind], blank)


def _role_choices(blank: str | None = None):
    return choices([(role.value, role.label) for role in Role], blank)


# --- organisations -------------------------------------------------------------------


@bp.route("/organisations")
@allow("manage_organisations")
def organisations():
    filters = OrganisationFilterForm(request.args)
    filters.district_id.choices = choices(queries.district_choices(), _("All districts"))
    filters.kind.choices = _kind_choices(_("All kinds"))
    page = queries.organisations_page(filters.q.data, filters.district_id.data,
                                      filters.kind.data, page_number(),
                                      current_app.config["LIST_PAGE_SIZE"])
    return render_template("accounts/organisations.html", filters=filters, page=page)


def _organisation_form(obj=None) -> OrganisationForm:
    form = OrganisationForm(obj=obj)
    form.kind.choices = _kind_choices()
    form.district_id.choices = choices(queries.district_choices(), _("— regional body —"))
    return form


def _organisation_data(form: OrganisationForm) -> services.OrganisationData:
    return services.OrganisationData(
        kind=form.kind.data, district_id=form.district_id.data, code=form.code.data.strip(),
        name_kk=form.name_kk.data.strip(), name_ru=form.name_ru.data.strip())


@bp.route("/organisations/new", methods=["GET", "POST"])
@allow("manage_organisations")
def new_organisation():
    form = _organisation_form()
    if form.validate_on_submit():
        region_id = db.session.scalar(select(Region.id).order_by(Region.id))
        org, saved = save(form, lambda: services.create_organisation(
            current_user, _organisation_data(form), region_id))
        if saved:
            flash(_("Organisation %(name)s created.", name=org.name), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("accounts/organisation_form.html", form=form, organisation=None)


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
@allow("manage_organisations")
def edit_organisation(org_id: int):
    org = get_or_404(Organisation, org_id, current_user, "edit")
    form = _organisation_form(org)
    if request.method == "GET":
        form.version.data = org.version
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.update_organisation(
            current_user, org, _organisation_data(form), form.expected_version()))
        if saved:
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("accounts/organisation_form.html", form=form, organisation=org,
                           action_form=ActionForm())


@bp.route("/organisations/<int:org_id>/active", methods=["POST"])
@allow("manage_organisations")
def toggle_organisation(org_id: int):
    org = get_or_404(Organisation, org_id, current_user, "edit")
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_organisation_active(current_user, org, form.wanted())
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Organisation activated.") if org.is_active else _("Organisation deactivated."),
              "success")
    return redirect(url_for("admin.edit_organisation", org_id=org.id))


# --- accounts ------------------------------------------------------------------------


@bp.route("/users")
@allow("manage_accounts")
def users():
    filters = UserFilterForm(request.args)
    filters.role.choices = _role_choices(_("All roles"))
    filters.district_id.choices = choices(queries.district_choices(), _("All districts"))
    filters.status.choices = choices([("active", _("Active")), ("inactive", _("Deactivated"))],
                                     _("Any status"))
    page = queries.users_page(filters.q.data, filters.role.data, filters.district_id.data,
                              filters.status.data, page_number(),
                              current_app.config["LIST_PAGE_SIZE"])
    return render_template("accounts/users.html", filters=filters, page=page)


def _user_form(obj=None) -> UserForm:
    form = UserForm(obj=obj)
    form.role.choices = _role_choices()
    form.organisation_id.choices = choices(queries.organisation_choices())
    return form


def _user_data(form: UserForm) -> services.UserData:
    return services.UserData(login=form.login.data, full_name=form.full_name.data,
                             role=form.role.data, organisation_id=form.organisation_id.data,
                             email=form.email.data)


@bp.route("/users/new", methods=["GET", "POST"])
@allow("manage_accounts")
def new_user():
    form = _user_form()
    if form.validate_on_submit():
        result, saved = save(
            form, lambda: services.create_user(current_user, _user_data(form)))
        if saved:
            user, password = result
            return render_template("accounts/password_issued.html", user=user,
                                   password=password, created=True)
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow("manage_accounts")
def edit_user(user_id: int):
    user = get_or_404(User, user_id, current_user, "edit")
    form = _user_form(user)
    if request.method == "GET":
        form.version.data = user.version
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.update_user(
            current_user, user, _user_data(form), form.expected_version()))
        if saved:
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("accounts/user_form.html", form=form, user=user,
                           action_form=ActionForm(),
                           can_delete=not services.has_authored_records(user))


def _account_action(user_id: int, action, form_class=ActionForm):
    """Load the account, check the token, run one service call. Returns (user, ok, result)."""
    user = get_or_404(User, user_id, current_user, "edit")
    if not form_class().validate_on_submit():
        abort(400)
    try:
        result = action(user)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return user, False, None
    db.session.commit()
    return user, True, result


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@allow("manage_accounts")
def toggle_user(user_id: int):
    wanted = StatusForm().wanted()
    user, ok, _result = _account_action(
        user_id, lambda u: services.set_user_enabled(current_user, u, wanted), StatusForm)
    if ok:
        flash(_("Account activated.") if user.is_enabled else _("Account deactivated."),
              "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@allow("manage_accounts")
def reset_user_password(user_id: int):
    user, ok, password = _account_action(
        user_id, lambda u: services.reset_password(current_user, u))
    if not ok:
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("accounts/password_issued.html", user=user, password=password,
                           created=False)


@bp.route("/users/<int:user_id>/delete", methods=["POST"])
@allow("manage_accounts")
def delete_user(user_id: int):
    _user, ok, _result = _account_action(
        user_id, lambda u: services.delete_user(current_user, u))
    if ok:
        flash(_("Account deleted."), "success")
        return redirect(url_for("admin.users"))
    return redirect(url_for("admin.edit_user", user_id=user_id))
