"""The automatic recovery of failed messages (``recovery.py``): when a message failed, whether the
failure is final, and how many times it was re-queued by itself. And fewer, better indexes for the
daily run's 100,000 inserts: (invoice, rule) in place of the invoice's own (the "no message of this
rule yet" anti-join), none of the rule's or the customer's own (the unique (rule, channel, key) and
(customer, -created_at) lead with them), the provider id's only where there is one (e-mails have
none)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce


def fill_failed_at(apps, schema_editor):
    # messages that failed before this migration: their last attempt's time stands in
    Message = apps.get_model("messaging", "Message")
    Message.objects.filter(status="failed", failed_at__isnull=True).update(
        failed_at=Coalesce(F("next_attempt_at"), F("created_at"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0008_bank_registration"),
        ("customers", "0004_customer_settings"),
        ("messaging", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="failed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="failed at"),
        ),
        migrations.AddField(
            model_name="message",
            name="permanent_failure",
            field=models.BooleanField(
                default=False,
                help_text="Refused by the server or the provider: never re-queued automatically.",
                verbose_name="permanent failure",
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="recoveries",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Times the failed message was re-queued by itself.",
                verbose_name="automatic re-queues",
            ),
        ),
        migrations.RunPython(fill_failed_at, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "failed"), _negated=True) | models.Q(failed_at__isnull=False),
                name="message_failed_has_time",
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="invoice",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="billing.invoice",
                verbose_name="invoice",
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["invoice", "rule"], name="message_invoice_rule_idx"),
        ),
        migrations.AlterField(
            model_name="message",
            name="rule",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="messages",
                to="messaging.messagerule",
                verbose_name="rule",
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="provider_id",
            field=models.CharField(blank=True, max_length=100, verbose_name="provider id"),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("provider_id", ""), _negated=True),
                fields=["provider_id"],
                name="message_provider_id_idx",
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
    ]
