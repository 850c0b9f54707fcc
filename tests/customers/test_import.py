import pytest
from django.core.management import CommandError, call_command

from enlace.core.models import ObjectChange
from enlace.customers.models import Customer

HEADER = "name;person_type;cpf_cnpj;branch;city;email;mobile_phone\n"


def _write(tmp_path, body, branch):
    path = tmp_path / "clientes.csv"
    path.write_text(HEADER + body.format(branch=branch.pk), encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_import_saves_valid_lines_and_reports_refused_ones(tmp_path, branch_a, capsys):
    path = _write(
        tmp_path,
        "Ana Souza;F;111.444.777-35;{branch};3550308;ana@example.com;11987654321\n"
        "Bruno Lima;F;111.444.777-00;{branch};3550308;bruno@example.com;11987654322\n"  # bad CPF
        " Carla;F;;{branch};3550308;;\n"  # leading space
        "Duda Ramos;F;529.982.247-25;{branch};3550308;duda@example.com; x@y.com\n",  # space before the phone
        branch_a,
    )
    call_command("import_customers", path, "--no-progress")
    out, err = capsys.readouterr()
    assert list(Customer.objects.values_list("name", flat=True)) == ["Ana Souza"]
    assert "line 3: cpf_cnpj" in err and "line 4: name" in err and "line 5: mobile_phone" in err
    assert "4 lines read: 1 customers created, 3 refused." in out
    assert ObjectChange.objects.filter(
        action="create", source="command", object_repr__contains="Ana"
    ).exists()


@pytest.mark.django_db
def test_dry_run_saves_nothing(tmp_path, branch_a, capsys):
    path = _write(
        tmp_path, "Ana Souza;F;111.444.777-35;{branch};3550308;ana@example.com;11987654321\n", branch_a
    )
    call_command("import_customers", path, "--dry-run", "--no-progress")
    assert not Customer.objects.exists()
    assert "would be created" in capsys.readouterr().out


@pytest.mark.django_db
def test_unknown_column_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("nome;cpf\nAna;1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Unknown columns"):
        call_command("import_customers", str(path))
