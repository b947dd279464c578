from juvenile.accounts.models import Role


def test_login_page_is_kazakh_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'lang="kk"' in response.get_data(as_text=True)


def test_psychologist_lands_on_school_home(client, login_as):
    user = login_as(Role.PSYCHOLOGIST)
    page = client.get("/").get_data(as_text=True)
    assert user.organisation.name_kk in page
