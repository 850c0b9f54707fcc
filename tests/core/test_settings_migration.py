"""Moving settings fields out of ``core.GeneralParameters`` into each app's own row is a schema
migration with a copy of the values, both ways: what an installation had set before the upgrade is
what each app's row holds after it, and a downgrade puts back what the rows held. Run against the
real database (SQLite or PostgreSQL) with Django's migration executor."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("core", "0007_outbound_email"),
    ("customers", "0003_customerfile"),
    ("portal", "0002_password_reset_throttle"),
    ("billing", "0004_invoice_discount_le_amount"),
    ("radius", "0004_radacct_active_ip_index"),
]

# Values that differ from the defaults: set in core before the upgrade, found in the apps after it.
UPGRADE = {
    ("customers", "CustomerSettings"): {
        "cpf_cnpj_required": False,
        "allow_duplicate_cpf_cnpj": True,
        "validate_duplicate_address": True,
        "name_length_warning": 33,
        "files_max_size_mb": 7,
    },
    ("portal", "PortalSettings"): {
        "portal_auto_access": True,
        "portal_login_by_document": True,
        "portal_logo": "portal/logo.png",
        "portal_lockout_attempts": 9,
        "portal_lockout_minutes": 11,
        "portal_session_minutes": 13,
    },
    ("billing", "BillingSettings"): {
        "collection_notice_days": 4,
        "collection_block_days": 20,
        "trust_unlock_days": 5,
        "billing_days_ahead": 9,
    },
    ("radius", "RadiusSettings"): {
        "radius_blocked_action": "N",
        "radius_notice_pool": "aviso",
        "radius_notice_address_list": "lista-aviso",
        "radius_notice_rate_limit": "1M/1M",
        "radius_interim_interval": 120,
        "radius_stale_intervals": 4,
    },
}

# Other values again: set in the apps before the downgrade, found in core after it.
DOWNGRADE = {
    ("customers", "CustomerSettings"): {
        "cpf_cnpj_required": True,
        "allow_duplicate_cpf_cnpj": False,
        "validate_duplicate_address": False,
        "name_length_warning": 50,
        "files_max_size_mb": 64,
    },
    ("portal", "PortalSettings"): {
        "portal_auto_access": False,
        "portal_login_by_document": False,
        "portal_logo": "portal/outro.png",
        "portal_lockout_attempts": 4,
        "portal_lockout_minutes": 45,
        "portal_session_minutes": 60,
    },
    ("billing", "BillingSettings"): {
        "collection_notice_days": 2,
        "collection_block_days": 30,
        "trust_unlock_days": 2,
        "billing_days_ahead": 20,
    },
    ("radius", "RadiusSettings"): {
        "radius_blocked_action": "R",
        "radius_notice_pool": "",
        "radius_notice_address_list": "outra-lista",
        "radius_notice_rate_limit": "2M/2M",
        "radius_interim_interval": 600,
        "radius_stale_intervals": 2,
    },
}


def _migrate(targets=None):
    """Migrate to ``targets`` (the latest migrations when ``None``); the state's models."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _flat(values: dict) -> dict:
    return {name: value for fields in values.values() for name, value in fields.items()}


def _row(apps, app_label, model_name) -> dict:
    row = apps.get_model(app_label, model_name).objects.get(pk=1)
    values = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if f.name != "id"}
    values["portal_logo"] = getattr(values.get("portal_logo"), "name", values.get("portal_logo"))
    return {name: value for name, value in values.items() if name in _flat(UPGRADE) or name.endswith("_id")}


@pytest.mark.django_db(transaction=True)
def test_settings_move_to_the_apps_and_back_with_their_values():
    old = _migrate(BEFORE)
    account = old.get_model("core", "AnalyticAccount").objects.create(code="9.01", name="Migração", kind="R")
    other = old.get_model("core", "AnalyticAccount").objects.create(code="9.02", name="Outra", kind="R")
    core_params = old.get_model("core", "GeneralParameters").objects
    core_params.update_or_create(pk=1, defaults={})
    core_params.filter(pk=1).update(
        company_name="Fibra Migrada", default_analytic_account_id=account.pk, **_flat(UPGRADE)
    )

    new = _migrate()

    for (app_label, model_name), values in UPGRADE.items():
        row = _row(new, app_label, model_name)
        assert {name: row[name] for name in values} == values, model_name
    assert _row(new, "customers", "CustomerSettings")["default_analytic_account_id"] == account.pk
    general = new.get_model("core", "GeneralParameters").objects.get(pk=1)
    assert general.company_name == "Fibra Migrada"
    assert not {f.name for f in general._meta.fields} & set(_flat(UPGRADE))

    for (app_label, model_name), values in DOWNGRADE.items():
        new.get_model(app_label, model_name).objects.filter(pk=1).update(**values)
    new.get_model("customers", "CustomerSettings").objects.filter(pk=1).update(
        default_analytic_account_id=other.pk
    )

    old = _migrate(BEFORE)

    row = _row(old, "core", "GeneralParameters")
    assert {name: row[name] for name in _flat(DOWNGRADE)} == _flat(DOWNGRADE)
    assert row["default_analytic_account_id"] == other.pk
    assert old.get_model("core", "GeneralParameters").objects.get(pk=1).company_name == "Fibra Migrada"

    _migrate()  # the database is left as it was found: at the latest migrations
