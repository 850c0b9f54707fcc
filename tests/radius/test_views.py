"""Operator screens of the RADIUS area: concentrators, IP pools, logins (list, page with accounting,
form from a contract, "Gerar senha", "Desconectar"), the contract's and customer's "Logins" tabs,
the customer search by login name and the RADIUS tab of the general parameters."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import constants as message_levels
from django.urls import reverse
from django.utils import timezone

from enlace.contracts.apps import register_contract_tabs, register_tabs
from enlace.core import roles
from enlace.core.models import Employee
from enlace.customers.services import customer_create
from enlace.radius import services
from enlace.radius.apps import register_ui
from enlace.radius.freeradius import RadAcct, RadCheck, RadGroupReply, RadiusNas, RadPostAuth
from enlace.radius.models import DisconnectRequest, IpAllocation, IpPool, Login, Nas, RadiusSettings
from enlace.radius.projection import md5_hex
from tests.helpers.contracts import make_plan

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def ui_registered():
    register_tabs()  # another test may have replaced them in this process
    register_contract_tabs()
    register_ui()


@pytest.fixture
def login(admin_user, active_contract):
    return services.login_create(
        actor=admin_user, contract=active_contract, username="mainet@fibra.com.br", password="Segredo123abc"
    )


@pytest.fixture
def login_b(admin_user, contract_b):
    return services.login_create(
        actor=admin_user, contract=contract_b, username="campinas@fibra.com.br", password="Segredo123abc"
    )


@pytest.fixture
def technician_web(django_user_model, branch_a):
    user = django_user_model.objects.create_user(username="tiago", password="s3nha-Forte!")
    user.groups.add(Group.objects.get(name=roles.TECHNICIAN))
    Employee.objects.create(name="Tiago", user=user).branches.set([branch_a])
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def messages_of(response):
    return [(m.level, str(m)) for m in response.context["messages"]]


def open_session(login, **extra):
    values = {
        "acctsessionid": "81a00001",
        "acctuniqueid": f"uniq-{login.username}-{extra.get('acctsessionid', '81a00001')}",
        "username": login.username,
        "nasipaddress": "10.0.0.1",
        "acctstarttime": timezone.now() - datetime.timedelta(hours=2, minutes=5),
        "acctupdatetime": timezone.now() - datetime.timedelta(minutes=3),
        "acctinputoctets": 1_500_000_000,
        "acctoutputoctets": 12_000_000_000,
        "framedipaddress": "100.64.0.10",
        "callingstationid": "AA:BB:CC:DD:EE:01",
    }
    values.update(extra)
    return RadAcct.objects.create(**values)


def login_form_data(contract, **extra):
    data = {
        "auth_type": "L",
        "connection_type": "FIBRA",
        "plan": str(contract.plan_id),
        "username": "mainet@fibra.com.br",
        "password": "Segredo123abc",
        "password_md5": "False",
        "simultaneous_use": "1",
        "radius_pool": "",
        "nas_pool": "",
        "fixed_ip": "",
        "mac": "",
        "active": "on",
        "notes": "",
    }
    data.update(extra)
    return data


# --- Menu and lists ---------------------------------------------------------------------------


def test_network_menu_has_the_radius_pages(admin_web):
    html = admin_web.get("/").content.decode()
    for name in ("radius:nas_list", "radius:ippool_list", "radius:login_list"):
        assert f'href="{reverse(name)}"' in html, name


def test_admin_opens_every_page(admin_web, login, admin_user):
    nas = services.nas_save(
        Nas(name="BNG", ip="10.0.0.1", secret="s3cret", branch=login.branch), actor=admin_user
    )
    pool = services.pool_save(IpPool(name="CGNAT", ranges=["100.64.0.0/29"]), actor=admin_user)
    pages = ["/nas/", "/nas/add/", f"/nas/{nas.pk}/", f"/nas/{nas.pk}/edit/", f"/nas/{nas.pk}/delete/"]
    pages += ["/ip-pools/", "/ip-pools/add/", f"/ip-pools/{pool.pk}/", f"/ip-pools/{pool.pk}/edit/"]
    pages += ["/logins/", f"/logins/{login.pk}/", f"/logins/{login.pk}/edit/", f"/logins/{login.pk}/changes/"]
    pages += [f"/logins/add/?contract={login.contract_id}", f"/logins/{login.pk}/delete/"]
    for address in pages:
        response = admin_web.get(address)
        assert response.status_code == 200, address
        assert b"<h1" in response.content, address


def test_login_list_columns_and_filters(admin_web, login, admin_user, active_contract):
    other = services.login_create(
        actor=admin_user,
        contract=active_contract,
        username="segundo@fibra",
        password="Outra123senha",
        active=False,
    )
    open_session(login)
    html = admin_web.get("/logins/").content.decode()
    row = re.search(rf'<tr[^>]*data-login="{login.pk}".*?</tr>', html, re.S).group(0)
    assert "login-online" in row and "Maria Souza" in row and "100.64.0.10" in row
    assert str(active_contract) in row and "Fibra 500" in row
    assert "login-offline" in re.search(rf'<tr[^>]*data-login="{other.pk}".*?</tr>', html, re.S).group(0)

    def found(query):
        return {lg.pk for lg in admin_web.get(f"/logins/?{query}").context["table"].data}

    assert found("online=true") == {login.pk}
    assert found("online=false") == {other.pk}
    assert found("active=false") == {other.pk}
    assert found("q=segundo") == {other.pk}
    assert found(f"plan={active_contract.plan_id}&auth_type=L") == {login.pk, other.pk}
    assert found("auth_type=H") == set()
    assert found(f"branch={login.branch_id}") == {login.pk, other.pk}


# --- Concentrators ---------------------------------------------------------------------------


def test_nas_add_detail_masks_secret_edit_keeps_secret_delete(admin_web, branch_a):
    data = {
        "name": "BNG Centro",
        "ip": "10.0.0.1",
        "secret": "Tr0ca-isso",
        "type": "mikrotik",
        "coa_port": "3799",
        "branch": str(branch_a.pk),
        "description": "",
        "active": "on",
    }
    response = admin_web.post("/nas/add/", data)
    nas = Nas.objects.get(name="BNG Centro")
    assert response.status_code == 302 and response["Location"] == f"/nas/{nas.pk}/"
    assert RadiusNas.objects.get(nasname="10.0.0.1").secret == "Tr0ca-isso"

    html = admin_web.get(f"/nas/{nas.pk}/").content.decode()
    assert "Tr0ca-isso" not in html and "••••" in html
    assert "Tr0ca-isso" not in admin_web.get(f"/nas/{nas.pk}/edit/").content.decode()

    response = admin_web.post(f"/nas/{nas.pk}/edit/", {**data, "secret": "", "ip": "10.0.0.2"})
    assert response.status_code == 302
    nas.refresh_from_db()
    assert nas.secret == "Tr0ca-isso" and nas.ip == "10.0.0.2"
    assert list(RadiusNas.objects.values_list("nasname", "secret")) == [("10.0.0.2", "Tr0ca-isso")]

    response = admin_web.post(f"/nas/{nas.pk}/delete/")
    assert response.status_code == 302
    assert not Nas.objects.exists() and not RadiusNas.objects.exists()


def test_nas_invalid_ip_names_the_field(admin_web, branch_a):
    response = admin_web.post(
        "/nas/add/",
        {
            "name": "X",
            "ip": "999.1.1.1",
            "secret": "abc",
            "type": "mikrotik",
            "coa_port": "3799",
            "branch": branch_a.pk,
        },
    )
    assert response.status_code == 200
    assert "ip" in response.context["form"].errors
    assert not Nas.objects.exists()


# --- IP pools --------------------------------------------------------------------------------


def test_pool_ranges_typed_one_per_line(admin_web, branch_a):
    data = {
        "name": "CGNAT Centro",
        "ranges": "100.64.0.0/29\r\n100.64.1.0/30\r\n",
        "excluded": "100.64.0.1\n",
        "branch": str(branch_a.pk),
        "description": "",
    }
    response = admin_web.post("/ip-pools/add/", data)
    assert response.status_code == 302
    pool = IpPool.objects.get(name="CGNAT Centro")
    assert pool.ranges == ["100.64.0.0/29", "100.64.1.0/30"]
    assert pool.excluded == ["100.64.0.1"]
    form_html = admin_web.get(f"/ip-pools/{pool.pk}/edit/").content.decode()
    assert "100.64.0.0/29\n100.64.1.0/30" in form_html


def test_pool_bad_range_names_the_field(admin_web):
    response = admin_web.post("/ip-pools/add/", {"name": "X", "ranges": "100.64.0.0/33", "excluded": ""})
    assert response.status_code == 200
    assert "ranges" in response.context["form"].errors
    response = admin_web.post("/ip-pools/add/", {"name": "X", "ranges": "", "excluded": ""})
    assert "ranges" in response.context["form"].errors
    assert not IpPool.objects.exists()


def test_pool_detail_shows_usage_and_logins(admin_web, admin_user, active_contract):
    pool = services.pool_save(
        IpPool(name="CGNAT", ranges=["100.64.0.0/29"], excluded=["100.64.0.1"]), actor=admin_user
    )
    login = services.login_create(
        actor=admin_user, contract=active_contract, username="a@b", password="Segredo123abc", radius_pool=pool
    )
    response = admin_web.get(f"/ip-pools/{pool.pk}/")
    assert (response.context["used"], response.context["size"]) == (1, 5)
    html = response.content.decode()
    assert 'id="pool-usage"' in html and "width: 20%" in html
    assert f'data-login="{login.pk}"' in html and "100.64.0.2" in html
    assert admin_web.get("/ip-pools/").context["table"].data[0].in_use == 1


# --- Permissions and branch scope ------------------------------------------------------------


def test_attendance_views_and_disconnects_logins_but_cannot_add_or_change(operator_a_web, login):
    assert operator_a_web.get("/logins/").status_code == 200
    assert operator_a_web.get(f"/logins/{login.pk}/").status_code == 200
    html = operator_a_web.get(f"/logins/{login.pk}/").content.decode()
    assert 'id="disconnect-button"' in html and 'id="edit-button"' not in html
    assert operator_a_web.get(f"/logins/add/?contract={login.contract_id}").status_code == 403
    assert operator_a_web.post("/logins/add/", login_form_data(login.contract)).status_code == 403
    assert operator_a_web.get(f"/logins/{login.pk}/edit/").status_code == 403
    assert operator_a_web.post(f"/logins/{login.pk}/disconnect/").status_code == 302  # "not online"
    assert operator_a_web.get("/logins/generate-password/").status_code == 403
    tab = operator_a_web.get(f"/contracts/{login.contract_id}/tab/logins/", **HTMX).content.decode()
    assert f'data-login="{login.pk}"' in tab and 'id="new-login"' not in tab
    assert Login.objects.count() == 1


def test_without_permission_everything_is_403(noperm_web, login):
    for address in ("/logins/", f"/logins/{login.pk}/", "/nas/", "/ip-pools/"):
        assert noperm_web.get(address).status_code == 403, address
    assert noperm_web.get(f"/contracts/{login.contract_id}/tab/logins/", **HTMX).status_code == 403


def test_login_of_another_branch_is_404(operator_a_web, login_b, contract_b, login):
    assert operator_a_web.get(f"/logins/{login_b.pk}/").status_code == 404
    assert operator_a_web.get(f"/contracts/{contract_b.pk}/tab/logins/", **HTMX).status_code == 404
    assert operator_a_web.get(f"/customers/{contract_b.customer_id}/tab/logins/", **HTMX).status_code == 404
    listed = {lg.pk for lg in operator_a_web.get("/logins/").context["table"].data}
    assert listed == {login.pk}


def test_technician_of_branch_a_cannot_add_a_login_to_a_branch_b_contract(technician_web, contract_b):
    assert technician_web.get(f"/logins/add/?contract={contract_b.pk}").status_code == 404
    response = technician_web.post("/logins/add/", {**login_form_data(contract_b), "contract": contract_b.pk})
    assert response.status_code == 200
    assert "contract" in response.context["form"].errors
    assert not Login.objects.exists()


# --- The login form (L-2 … L-9) ---------------------------------------------------------------


def test_add_form_from_a_contract_is_prefilled(admin_web, active_contract, branch_a, admin_user):
    other_plan = make_plan(branch_a, name="Fibra 1 Giga")  # no contract of this customer has it
    response = admin_web.get(f"/logins/add/?contract={active_contract.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["contract"].value() == active_contract.pk
    assert form["customer"].value() == active_contract.customer_id
    assert form["branch"].value() == active_contract.branch_id
    assert form["plan"].value() == active_contract.plan_id
    assert form["simultaneous_use"].value() == 1
    assert len(form["password"].value()) >= 12
    assert all(form.fields[name].disabled for name in ("customer", "contract", "branch"))
    assert set(form.fields["plan"].queryset) == {active_contract.plan}  # L-5
    assert other_plan not in form.fields["plan"].queryset
    html = response.content.decode()
    assert 'id="login-owner"' in html and "Maria Souza" in html and str(active_contract) in html
    assert 'id="generate-password"' in html and 'hx-get="/logins/generate-password/"' in html
    assert "mainet@fibra.com.br" in html  # the example in the help text
    assert 'id="div_auth_type"' in html and 'class="text-danger required-mark"' in html


def test_create_login_from_the_contract(admin_web, active_contract):
    response = admin_web.post(f"/logins/add/?contract={active_contract.pk}", login_form_data(active_contract))
    login = Login.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/logins/{login.pk}/"
    assert (login.customer_id, login.contract_id, login.branch_id) == (
        active_contract.customer_id,
        active_contract.pk,
        active_contract.branch_id,
    )
    assert login.connection_type == "FIBRA" and not login.password_md5
    assert RadCheck.objects.filter(username="mainet@fibra.com.br", attribute="Cleartext-Password").exists()


def test_disabled_fields_cannot_be_changed_by_the_post(admin_web, active_contract, contract_b):
    data = {**login_form_data(active_contract), "contract": contract_b.pk, "customer": contract_b.customer_id}
    admin_web.post(f"/logins/add/?contract={active_contract.pk}", data)
    assert Login.objects.get().contract_id == active_contract.pk


def test_invalid_login_name_names_the_field_and_saves_nothing(admin_web, active_contract):
    response = admin_web.post(
        f"/logins/add/?contract={active_contract.pk}", login_form_data(active_contract, username="joão silva")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["username"]
    html = response.content.decode()
    assert re.search(r'id="div_username".*?field-error', html, re.S)
    assert not Login.objects.exists() and not RadCheck.objects.exists()
    response = admin_web.post(
        f"/logins/add/?contract={active_contract.pk}", login_form_data(active_contract, username="a#b")
    )
    assert list(response.context["form"].errors) == ["username"]


def test_duplicate_login_name_and_edge_spaces_are_refused(admin_web, login, active_contract):
    response = admin_web.post(f"/logins/add/?contract={active_contract.pk}", login_form_data(active_contract))
    assert "username" in response.context["form"].errors
    response = admin_web.post(
        f"/logins/add/?contract={active_contract.pk}",
        login_form_data(active_contract, username="novo@fibra", password=" Segredo123abc"),
    )
    assert "password" in response.context["form"].errors
    assert Login.objects.count() == 1


def test_plan_of_another_customer_is_refused(admin_web, active_contract, contract_b):
    response = admin_web.post(
        f"/logins/add/?contract={active_contract.pk}",
        login_form_data(active_contract, plan=str(contract_b.plan_id)),
    )
    assert response.status_code == 200
    assert "plan" in response.context["form"].errors
    assert not Login.objects.exists()


def test_two_addressing_modes_error_is_shown_on_the_field(admin_web, active_contract, admin_user):
    pool = services.pool_save(IpPool(name="CGNAT", ranges=["100.64.0.0/29"]), actor=admin_user)
    response = admin_web.post(
        f"/logins/add/?contract={active_contract.pk}",
        login_form_data(active_contract, radius_pool=str(pool.pk), nas_pool="pppoe-pool"),
    )
    assert "radius_pool" in response.context["form"].errors
    assert not Login.objects.exists() and not IpAllocation.objects.exists()


def test_md5_password_is_stored_hashed(admin_web, active_contract):
    admin_web.post(
        f"/logins/add/?contract={active_contract.pk}", login_form_data(active_contract, password_md5="True")
    )
    login = Login.objects.get()
    assert login.password_md5 and login.password == md5_hex("Segredo123abc")


def test_edit_keeps_an_empty_password_and_changes_a_typed_one(admin_web, login):
    response = admin_web.get(f"/logins/{login.pk}/edit/")
    form = response.context["form"]
    assert not form["password"].value() and not form.fields["password"].required
    assert "Segredo123abc" not in response.content.decode()

    data = login_form_data(login.contract, password="", simultaneous_use="2")
    response = admin_web.post(f"/logins/{login.pk}/edit/", data)
    assert response.status_code == 302
    login.refresh_from_db()
    assert login.password == "Segredo123abc" and login.simultaneous_use == 2

    admin_web.post(f"/logins/{login.pk}/edit/", login_form_data(login.contract, password="NovaSenha4567"))
    login.refresh_from_db()
    assert login.password == "NovaSenha4567"
    assert (
        RadCheck.objects.get(username=login.username, attribute="Cleartext-Password").value == "NovaSenha4567"
    )


def test_edit_with_md5_turned_on_hashes_the_current_password(admin_web, login):
    admin_web.post(
        f"/logins/{login.pk}/edit/", login_form_data(login.contract, password="", password_md5="True")
    )
    login.refresh_from_db()
    assert login.password_md5 and login.password == md5_hex("Segredo123abc")


def test_edit_of_an_online_login_queues_a_disconnect(admin_web, login, django_capture_on_commit_callbacks):
    open_session(login)
    with django_capture_on_commit_callbacks(execute=False):
        admin_web.post(f"/logins/{login.pk}/edit/", login_form_data(login.contract, password="NovaSenha4567"))
    assert DisconnectRequest.objects.filter(login=login, kind="disconnect").count() == 1


def test_generate_password(technician_web):
    response = technician_web.get("/logins/generate-password/", **HTMX)
    assert response.status_code == 200
    value = re.search(r'id="id_password"[^>]*value="([^"]*)"', response.content.decode()).group(1)
    assert len(value) >= 12 and value.isalnum()
    other = re.search(r'value="([^"]*)"', technician_web.get("/logins/generate-password/").content.decode())
    assert other.group(1) != value


def test_delete_login_goes_back_to_the_contract(admin_web, login):
    contract_url = f"/contracts/{login.contract_id}/?tab=logins"
    page = admin_web.get(f"/logins/{login.pk}/").content.decode()
    delete_url = re.search(r'href="([^"]*)" id="delete-button"', page).group(1).replace("&amp;", "&")
    response = admin_web.post(delete_url)
    assert response.status_code == 302 and response["Location"] == contract_url
    assert not Login.objects.exists() and not RadCheck.objects.exists()


# --- The login page: accounting (L-12) and "Desconectar" -------------------------------------


def test_login_page_offline(admin_web, login):
    html = admin_web.get(f"/logins/{login.pk}/").content.decode()
    assert 'id="login-status"' in html and "login-offline" in html
    assert 'id="disconnect-button"' in html
    assert "Segredo123abc" not in html


def test_login_page_online_with_sessions_and_authentications(admin_web, login, admin_user):
    services.nas_save(
        Nas(name="BNG Centro", ip="10.0.0.1", secret="x1", branch=login.branch), actor=admin_user
    )
    start = timezone.now() - datetime.timedelta(days=3)
    for n in range(25):  # closed sessions, oldest first
        RadAcct.objects.create(
            acctsessionid=f"old{n}",
            acctuniqueid=f"old-{n}",
            username=login.username,
            nasipaddress="10.0.0.1",
            acctstarttime=start + datetime.timedelta(hours=n),
            acctstoptime=start + datetime.timedelta(hours=n, minutes=30),
            acctsessiontime=1800,
            acctinputoctets=1024,
            acctoutputoctets=2048,
            framedipaddress="100.64.0.9",
            acctterminatecause="User-Request",
        )
    session = open_session(login)
    RadPostAuth.objects.create(username=login.username, pass_field="Segredo123abc", reply="Access-Accept")
    RadPostAuth.objects.create(username=login.username, pass_field="errada-xyz", reply="Access-Reject")

    response = admin_web.get(f"/logins/{login.pk}/")
    html = response.content.decode()
    assert "login-online" in re.search(r'id="login-status">.*?</span>', html, re.S).group(0)
    connection = re.search(r'id="login-connection".*?</dl>', html, re.S).group(0)
    assert "100.64.0.10" in connection and "BNG Centro" in connection
    assert "02:05:" in connection  # duration of the open session
    assert "GB" in re.search(r'id="connection-in">(.*?)</dd>', connection).group(1)
    # History: newest first, 20 a page.
    sessions = response.context["sessions"]
    assert sessions[0].pk == session.pk and len(sessions) == 20
    assert response.context["sessions_page"].paginator.count == 26
    assert 'id="sessions-pagination"' in html
    page2 = admin_web.get(f"/logins/{login.pk}/?page=2").context["sessions"]
    assert [s.acctsessionid for s in page2] == [f"old{n}" for n in range(5, -1, -1)]
    # Authentications, without passwords.
    auths = re.search(r'id="login-authentications".*?</table>', html, re.S).group(0)
    assert "Access-Accept" in auths and "Access-Reject" in auths
    assert "Segredo123abc" not in html and "errada-xyz" not in html


def test_disconnect_an_offline_login_says_it_is_not_online(admin_web, login):
    response = admin_web.post(f"/logins/{login.pk}/disconnect/", follow=True)
    assert response.redirect_chain[-1][0] == f"/logins/{login.pk}/"
    [(level, text)] = messages_of(response)
    assert level == message_levels.WARNING and login.username in text
    assert not DisconnectRequest.objects.exists()


def test_disconnect_an_online_login_queues_the_request(admin_web, login, django_capture_on_commit_callbacks):
    open_session(login)
    with django_capture_on_commit_callbacks(execute=False):
        response = admin_web.post(f"/logins/{login.pk}/disconnect/", follow=True)
    [(level, text)] = messages_of(response)
    assert level == message_levels.SUCCESS and login.username in text
    request = DisconnectRequest.objects.get()
    assert (request.nas_ip, request.session_id, request.requested_by) == ("10.0.0.1", "81a00001", "admin")


# --- Tabs (L-2, C-5) -------------------------------------------------------------------------


def test_contract_page_has_the_logins_tab(admin_web, active_contract, login):
    html = admin_web.get(f"/contracts/{active_contract.pk}/").content.decode()
    positions = [html.index(f'id="tab-{key}"') for key in ("data", "billing", "logins", "history")]
    assert positions == sorted(positions)
    tab = admin_web.get(f"/contracts/{active_contract.pk}/tab/logins/", **HTMX).content.decode()
    assert 'data-tab-key="logins"' in tab and f'data-login="{login.pk}"' in tab
    assert f'href="/logins/add/?contract={active_contract.pk}"' in tab
    # Without HTMX the tab URL opens the page on that tab.
    response = admin_web.get(f"/contracts/{active_contract.pk}/tab/logins/")
    assert response.status_code == 302 and response["Location"].endswith("?tab=logins")


def test_customer_page_has_the_login_tab(admin_web, active_contract, login):
    customer = active_contract.customer
    html = admin_web.get(f"/customers/{customer.pk}/").content.decode()
    assert html.index('id="tab-contracts"') < html.index('id="tab-logins"')
    open_session(login)
    tab = admin_web.get(f"/customers/{customer.pk}/tab/logins/", **HTMX).content.decode()
    assert 'data-tab-key="logins"' in tab
    row = re.search(rf'<tr data-login="{login.pk}">.*?</tr>', tab, re.S).group(0)
    assert "login-online" in row and "100.64.0.10" in row and str(active_contract) in row
    assert f'href="/logins/add/?contract={active_contract.pk}"' in tab


# --- Customer search by login (C-6) ----------------------------------------------------------


def test_customer_list_search_finds_the_customer_by_login(admin_web, login, admin_user, branch_a):
    customer_create(
        actor=admin_user, name="Outro Cliente", person_type="F", cpf_cnpj="11144477735", branch=branch_a
    )
    for text in ("mainet@fibra", "mainet@fibra.com.br", "MAINET@FIBRA"):
        response = admin_web.get("/customers/", {"q": text})
        assert [c.pk for c in response.context["table"].data] == [login.customer_id], text
    response = admin_web.get(
        "/customers/", {"q": "mainet@fibra"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table"
    )
    assert "Maria Souza" in response.content.decode()
    assert not admin_web.get("/customers/", {"q": "naoexiste@fibra"}).context["table"].data


def test_customer_search_by_login_respects_branch_scope(operator_a_web, login_b):
    assert not operator_a_web.get("/customers/", {"q": "campinas@fibra"}).context["table"].data


# --- General parameters: the RADIUS tab ------------------------------------------------------


def test_parameters_radius_tab_renders_and_saves(admin_web, plan):
    response = admin_web.get("/settings/parameters/")
    html = response.content.decode()
    assert "id_radius_blocked_action" in html and "id_radius_notice_pool" in html
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    data.update({"radius_blocked_action": "N", "radius_notice_pool": "aviso"})
    response = admin_web.post("/settings/parameters/", data)
    assert response.status_code == 302, response.context["form"].errors
    params = RadiusSettings.load()
    assert params.radius_blocked_action == "N" and params.radius_notice_pool == "aviso"
    assert RadGroupReply.objects.filter(
        groupname="enlace_blocked", attribute="Framed-Pool", value="aviso"
    ).exists()


def test_customer_search_by_a_login_name_without_at_sign(admin_user, active_contract, branch_a):
    from enlace.customers.selectors import customer_list

    customer_create(
        actor=admin_user, name="Mainetti Souza", person_type="F", cpf_cnpj="11144477735", branch=branch_a
    )
    services.login_create(
        actor=admin_user, contract=active_contract, username="pppoe.1234", password="Segredo123abc"
    )
    names = {c.name for c in customer_list(user=admin_user, search="pppoe.1234")}
    assert names == {"Maria Souza"}
    # A name search still finds by name, and a login prefix adds the login's customer.
    services.login_create(
        actor=admin_user, contract=active_contract, username="mainet", password="Segredo123abc"
    )
    assert {c.name for c in customer_list(user=admin_user, search="maine")} == {
        "Maria Souza",
        "Mainetti Souza",
    }
    assert {c.name for c in customer_list(user=admin_user, search="12345")} == set()


def test_service_error_of_an_exhausted_pool_is_shown_on_its_field(admin_web, active_contract, admin_user):
    pool = services.pool_save(
        IpPool(name="Cheio", ranges=["100.64.9.0/30"], excluded=["100.64.9.1", "100.64.9.2"]),
        actor=admin_user,
    )
    response = admin_web.post(
        f"/logins/add/?contract={active_contract.pk}",
        login_form_data(active_contract, radius_pool=str(pool.pk)),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["radius_pool"]
    assert not Login.objects.exists() and not RadCheck.objects.exists()


def test_login_list_exports_csv(admin_web, login):
    open_session(login)
    response = admin_web.get("/logins/?export=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "mainet@fibra.com.br" in body and "100.64.0.10" in body


def test_add_without_a_contract_asks_for_its_number(admin_web, active_contract):
    response = admin_web.get("/logins/add/")
    assert response.status_code == 200
    form = response.context["form"]
    assert "customer" not in form.fields and not form.fields["contract"].disabled
    assert 'name="contract"' in response.content.decode()
    response = admin_web.post(
        "/logins/add/", {**login_form_data(active_contract), "contract": active_contract.pk}
    )
    assert response.status_code == 302
    login = Login.objects.get()
    assert (login.customer_id, login.branch_id) == (active_contract.customer_id, active_contract.branch_id)
    response = admin_web.post("/logins/add/", login_form_data(active_contract, username="outro@fibra"))
    assert "contract" in response.context["form"].errors
