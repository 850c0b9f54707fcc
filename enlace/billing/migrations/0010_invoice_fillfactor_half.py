"""Leave half of every invoice page free (PostgreSQL ``fillfactor`` 50; 0009 left a quarter).

Each step of an invoice's life at the bank updates every invoice of a file at once: sent in a
remittance, registered by the return, paid. An update that changes no indexed column is "HOT"
(PostgreSQL writes the new version in the same page and touches none of the invoice's indexes)
only when the page has room for it. An invoice row is ~475 bytes: a page three quarters full holds
12 of them and has room for the new versions of 4 — two thirds of the updates still went through
every index. Half-full pages take a new version of every row they hold. Measured on the 100,000
contract bench (docs/bench.md, "Bank registration"): marking 100,000 titles sent, 3.85 s → 0.66 s;
the table grows by about a third. Existing pages keep their layout until rewritten
(``VACUUM FULL billing_invoice`` or pg_repack in a quiet hour; docs/operations.md). SQLite has no
such setting: nothing to do there.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE billing_invoice SET (fillfactor = 50)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE billing_invoice SET (fillfactor = 75)")


class Migration(migrations.Migration):
    dependencies = [("billing", "0009_invoice_fillfactor")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
