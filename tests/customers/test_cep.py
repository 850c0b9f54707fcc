"""CEP lookup (SPEC A-1): local table, then the online provider (a fake ViaCEP on 127.0.0.1), cached;
no network → a clear "unavailable" quickly; ``import_ceps`` loads the table from a CSV."""

import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from enlace.customers import cep
from enlace.customers.models import Cep

pytestmark = pytest.mark.django_db

VIACEP_ANSWER = {
    "cep": "13010-111",
    "logradouro": "Rua Barão de Jaguara",
    "bairro": "Centro",
    "localidade": "Campinas",
    "uf": "SP",
    "ibge": "3509502",
}


def test_local_table_first(city, fake_viacep):
    Cep.objects.create(
        cep="01310100", street="Avenida Paulista", neighborhood="Bela Vista", city=city, state="SP"
    )
    result = cep.lookup("01310-100")
    assert (result.street, result.city, result.state, result.source) == (
        "Avenida Paulista",
        3550308,
        "SP",
        "local",
    )
    assert fake_viacep.requests == []


def test_online_provider_answer_is_cached(fake_viacep):
    fake_viacep.answers["13010111"] = VIACEP_ANSWER
    result = cep.lookup("13010-111")
    assert (
        result.street,
        result.neighborhood,
        result.city,
        result.city_name,
        result.state,
        result.source,
    ) == ("Rua Barão de Jaguara", "Centro", 3509502, "Campinas", "SP", "online")
    assert Cep.objects.get(cep="13010111").source == "online"
    again = cep.lookup("13010111")
    assert again.source == "local" and len(fake_viacep.requests) == 1


def test_unknown_cep_is_not_found(fake_viacep):
    with pytest.raises(cep.CepNotFound):
        cep.lookup("99999-999")


def test_no_network_is_unavailable_at_once(db):
    start = time.monotonic()
    with pytest.raises(cep.CepUnavailable) as exc:
        cep.lookup("01310-100")
    assert time.monotonic() - start < 1
    assert exc.value.code == "cep_unavailable" and str(exc.value.message)


def test_slow_provider_times_out_within_the_limit(fake_viacep, settings):
    settings.CEP_LOOKUP_TIMEOUT = 0.5
    fake_viacep.delay = 2
    fake_viacep.answers["13010111"] = VIACEP_ANSWER
    start = time.monotonic()
    with pytest.raises(cep.CepUnavailable):
        cep.lookup("13010111")
    assert time.monotonic() - start < 1.5


def test_timeout_never_above_three_seconds(settings):
    settings.CEP_LOOKUP_TIMEOUT = 30
    assert cep.timeout() == 3


def test_online_lookup_can_be_turned_off(settings, db):
    settings.CEP_PROVIDER_URL = ""
    with pytest.raises(cep.CepUnavailable):
        cep.lookup("01310100")


def test_invalid_cep():
    with pytest.raises(cep.InvalidCep):
        cep.lookup("1234")


def _csv(tmp_path, text):
    path = tmp_path / "ceps.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_ceps(tmp_path):
    path = _csv(
        tmp_path,
        "cep,logradouro,bairro,ibge,uf\n"
        "01310-100,Avenida Paulista,Bela Vista,3550308,SP\n"
        "13010111,Rua Barão de Jaguara,Centro,3509502,SP\n"
        "123,Rua Curta,Centro,3550308,SP\n"
        "20040002,Rua Qualquer,Centro,9999999,RJ\n"
        "20040003,Rua Errada,Centro,3550308,RJ\n",
    )
    out = StringIO()
    call_command("import_ceps", path, "--no-progress", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "2 created, 0 updated, 3 skipped" in text
    assert "invalid CEP" in text and "unknown IBGE code" in text
    assert Cep.objects.get(cep="01310100").city_id == 3550308
    # Again with a change: updated, not duplicated.
    path = _csv(tmp_path, "cep;logradouro;bairro;ibge;uf\n01310100;Av. Paulista;Bela Vista;3550308;SP\n")
    out = StringIO()
    call_command("import_ceps", path, "--no-progress", stdout=out, stderr=StringIO())
    assert "0 created, 1 updated, 0 skipped" in out.getvalue()
    assert Cep.objects.get(cep="01310100").street == "Av. Paulista"
    assert Cep.objects.count() == 2


def test_import_ceps_draws_a_progress_bar(tmp_path):
    path = _csv(tmp_path, "cep,logradouro,bairro,ibge,uf\n01310100,Avenida Paulista,Bela Vista,3550308,SP\n")
    err = StringIO()
    call_command("import_ceps", path, stdout=StringIO(), stderr=err)
    assert "CEP" in err.getvalue() and "1/1" in err.getvalue()


def test_import_ceps_refuses_a_file_without_the_columns(tmp_path):
    with pytest.raises(CommandError, match="Missing columns"):
        call_command("import_ceps", _csv(tmp_path, "a,b\n1,2\n"), "--no-progress")
