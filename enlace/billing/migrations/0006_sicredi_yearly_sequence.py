"""Sicredi's 5-digit sequence restarts each year (docs/cnab.md, "Nosso número as each bank writes
it"): ``WalletSequence.year``, and the Sicredi invoices numbered before keep ``YYBNNNNN`` (year of
their issue date, byte 2, sequence), which is the nosso número their boleto already prints and the
number Sicredi writes in its return files. Also ``CnabImport.warnings``."""

from django.db import migrations, models

SICREDI = "748"


def sicredi_numbers_with_year(apps, schema_editor):
    Invoice = apps.get_model("billing", "Invoice")
    rows = Invoice.objects.filter(
        wallet__bank_code=SICREDI, nosso_numero__isnull=False, nosso_numero__lt=1_000_000
    ).values_list("pk", "nosso_numero", "issue_date")
    for pk, number, issue_date in rows.iterator():
        full = (issue_date.year % 100) * 1_000_000 + 2 * 100_000 + number
        Invoice.objects.filter(pk=pk).update(nosso_numero=full)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_billing_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="cnabimport",
            name="warnings",
            field=models.JSONField(blank=True, default=list, verbose_name="warnings"),
        ),
        migrations.AddField(
            model_name="walletsequence",
            name="year",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(sicredi_numbers_with_year, migrations.RunPython.noop),
    ]
