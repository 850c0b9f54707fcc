"""Leave a quarter of every invoice page free (PostgreSQL ``fillfactor`` 75).

An invoice row is written once by the billing run and then updated a few times in its life: sent
to the bank, registered, paid. None of those updates changes an indexed column, so PostgreSQL can
write the new version in the same page without touching the 18 indexes (a "HOT" update) — but
only when the page has room. With full pages, marking the 30,000 titles of a remittance as sent
took 6.3 s; with 25 % free, 0.44 s (docs/bench.md, "Bank registration"). Existing pages keep their
layout until rewritten (``VACUUM FULL billing_invoice`` or pg_repack in a quiet hour;
docs/operations.md). SQLite has no such setting: nothing to do there.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE billing_invoice SET (fillfactor = 75)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE billing_invoice RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("billing", "0008_bank_registration")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
