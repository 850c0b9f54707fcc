"""Search indexes of the customer list (SPEC C-6) on PostgreSQL: pg_trgm GIN indexes over the folded
name (word-prefix ``LIKE '% frag%'``), the folded address, the e-mail (upper-cased, as Django's ``icontains`` compares), and a pattern index for CPF/CNPJ
prefixes. SQLite has no such index type and keeps the plain b-tree indexes of 0001."""

from django.db import migrations

INDEXES = [
    ("customer_search_name_trgm", "USING gin (search_name gin_trgm_ops)"),
    ("customer_address_key_trgm", "USING gin (address_key gin_trgm_ops)"),
    ("customer_email_trgm", "USING gin (upper(email) gin_trgm_ops)"),
    ("customer_cpf_cnpj_pattern", "(cpf_cnpj varchar_pattern_ops)"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer {definition}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
