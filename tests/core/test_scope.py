import pytest

from enlace.core.exceptions import ApplicationError
from enlace.core.models import Branch, Employee
from enlace.core.scope import allowed_branch_ids, restrict
from enlace.core.services import object_save


@pytest.mark.django_db
def test_operator_sees_only_own_branches(operator_a, admin_user, branch_a, branch_b):
    assert allowed_branch_ids(operator_a) == {branch_a.pk}
    assert list(Branch.objects.restrict(operator_a)) == [branch_a]
    assert set(Branch.objects.restrict(admin_user)) == {branch_a, branch_b}


@pytest.mark.django_db
def test_restrict_without_permission_is_empty(noperm_user, branch_a):
    assert Branch.objects.restrict(noperm_user).exists()  # not branch-limited
    assert not Branch.objects.restrict(noperm_user, "view").exists()  # but no view permission


@pytest.mark.django_db
def test_anonymous_sees_nothing(branch_a):
    from django.contrib.auth.models import AnonymousUser

    assert not restrict(Branch.objects.all(), AnonymousUser()).exists()


@pytest.mark.django_db
def test_employee_scope_through_many_to_many_is_distinct(operator_a, branch_a, branch_b):
    e = Employee.objects.create(name="Two branches")
    e.branches.set([branch_a, branch_b])
    assert list(Employee.objects.restrict(operator_a).filter(pk=e.pk)) == [e]


@pytest.mark.django_db
def test_scoped_operator_cannot_write_other_branch(operator_a_admin, branch_b):
    branch_b.phone = "11999998888"
    with pytest.raises(ApplicationError):
        object_save(branch_b, actor=operator_a_admin)


@pytest.mark.django_db
def test_scoped_operator_cannot_grant_every_branch_or_another_branch(operator_a_admin, branch_a, branch_b):
    with pytest.raises(ApplicationError):
        object_save(Employee(name="Sem filial"), actor=operator_a_admin, m2m={"branches": []})
    with pytest.raises(ApplicationError):
        object_save(Employee(name="Outra filial"), actor=operator_a_admin, m2m={"branches": [branch_b.pk]})
    assert not Employee.objects.filter(name__in=["Sem filial", "Outra filial"]).exists()
    ok = object_save(Employee(name="Mesma filial"), actor=operator_a_admin, m2m={"branches": [branch_a.pk]})
    assert list(ok.branches.all()) == [branch_a]


@pytest.mark.django_db
def test_global_audit_trail_is_for_administrators_only(operator_a, admin_user):
    assert not operator_a.has_perm("core.view_objectchange")
    assert admin_user.has_perm("core.view_objectchange")


@pytest.mark.django_db
def test_attendance_writes_manual_history_but_not_contracts(operator_a):
    assert operator_a.has_perm("contracts.add_contracthistory")
    assert operator_a.has_perm("contracts.change_contracthistory")
    assert not operator_a.has_perm("contracts.change_contract")
    assert not operator_a.has_perm("contracts.delete_contracthistory")
