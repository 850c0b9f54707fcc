from django.db import migrations, models


def cap_discounts(apps, schema_editor):
    """Rows written before the rule had no bound; the discount was already applied only up to the
    balance (``services.amount_due``), so capping it at the amount changes no amount due."""
    Invoice = apps.get_model("billing", "Invoice")
    Invoice.objects.filter(discount__gt=models.F("amount")).update(discount=models.F("amount"))


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_billingrun_heartbeat"),
    ]

    operations = [
        migrations.RunPython(cap_discounts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(("discount__lte", models.F("amount"))), name="invoice_discount_le_amount"
            ),
        ),
    ]
