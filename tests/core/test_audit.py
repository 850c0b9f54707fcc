import pytest

from enlace.core import context
from enlace.core.models import Branch, Employee, ObjectChange
from enlace.core.services import object_delete, object_save


@pytest.mark.django_db
def test_create_update_delete_are_recorded_with_operator_and_diff(admin_user, city):
    with context.acting_as(admin_user, source="web"):
        branch = object_save(
            Branch(name="Norte", legal_name="Norte Ltda", cnpj="11.222.333/0001-81", city=city),
            actor=admin_user,
        )
    assert branch.cnpj == "11222333000181"
    created = ObjectChange.objects.get(object_id=str(branch.pk), action="create")
    assert created.user == admin_user
    assert created.postchange_data["name"] == "Norte"

    branch.name = "Norte II"
    object_save(branch, actor=admin_user)
    updated = ObjectChange.objects.get(object_id=str(branch.pk), action="update")
    assert ("name", "Norte", "Norte II") in updated.diff()
    assert updated.user_name == "admin"

    pk = branch.pk
    object_delete(branch, actor=admin_user)
    deleted = ObjectChange.objects.get(object_id=str(pk), action="delete")
    assert deleted.prechange_data["name"] == "Norte II"
    assert deleted.postchange_data is None


@pytest.mark.django_db
def test_save_without_changes_records_nothing(admin_user, branch_a):
    before = ObjectChange.objects.count()
    object_save(Branch.objects.get(pk=branch_a.pk), actor=admin_user)
    assert ObjectChange.objects.count() == before


@pytest.mark.django_db
def test_many_to_many_changes_are_recorded(admin_user, branch_a, branch_b):
    employee = object_save(Employee(name="Bruno"), actor=admin_user, m2m={"branches": [branch_a.pk]})
    object_save(employee, actor=admin_user, m2m={"branches": [branch_a.pk, branch_b.pk]})
    last = ObjectChange.objects.filter(object_id=str(employee.pk)).first()
    assert last.postchange_data["branches"] == sorted([branch_a.pk, branch_b.pk])
    assert last.prechange_data["branches"] == [branch_a.pk]


@pytest.mark.django_db
def test_same_request_shares_request_id(admin_user, city):
    with context.acting_as(admin_user, source="command"):
        a = object_save(
            Branch(name="A1", legal_name="A1", cnpj="11444777000161", city=city), actor=admin_user
        )
        request_id = context.current().request_id
        a.name = "A2"
        object_save(a, actor=admin_user)
    ids = set(ObjectChange.objects.filter(object_id=str(a.pk)).values_list("request_id", flat=True))
    assert ids == {request_id}
