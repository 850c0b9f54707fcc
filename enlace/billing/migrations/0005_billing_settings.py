"""BillingSettings: the billing app's settings row, which held these fields in core.GeneralParameters
until now. The row is created with the values core had (and, backwards, the values go back to core,
whose migration 0008_settings_moved_to_apps re-adds the fields first): the values are moved, none
is changed."""

import django.core.validators
from django.db import migrations, models

FIELDS = [
    "collection_notice_days",
    "collection_block_days",
    "trust_unlock_days",
    "billing_days_ahead",
]


def copy_from_core(apps, schema_editor):
    db = schema_editor.connection.alias
    values = apps.get_model("core", "GeneralParameters").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if values is not None:
        apps.get_model("billing", "BillingSettings").objects.using(db).create(pk=1, **values)


def copy_to_core(apps, schema_editor):
    db = schema_editor.connection.alias
    values = apps.get_model("billing", "BillingSettings").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if values is not None:
        apps.get_model("core", "GeneralParameters").objects.using(db).update_or_create(pk=1, defaults=values)


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0004_invoice_discount_le_amount'),
        ('core', '0007_outbound_email'),
    ]

    operations = [
        migrations.CreateModel(
            name='BillingSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('collection_notice_days', models.PositiveSmallIntegerField(default=1, help_text="Days after the due date before a contract goes to 'Overdue payment' (notice).", verbose_name='overdue notice after (days)')),
                ('collection_block_days', models.PositiveSmallIntegerField(default=15, help_text="Days in 'Overdue payment' before the automatic block (Anatel: 15).", verbose_name='automatic block after notice (days)')),
                ('trust_unlock_days', models.PositiveSmallIntegerField(default=3, help_text='How long a trust unlock restores access; once per block.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='trust unlock (days)')),
                ('billing_days_ahead', models.PositiveSmallIntegerField(default=15, help_text="The daily billing task generates a period's invoices this many days before they fall due.", verbose_name='generate invoices ahead (days)')),
            ],
            options={
                'verbose_name': 'general parameters',
                'verbose_name_plural': 'general parameters',
                'abstract': False,
                'default_permissions': (),
                'constraints': [models.CheckConstraint(condition=models.Q(('pk', 1)), name='billingsettings_singleton')],
            },
        ),
        migrations.RunPython(copy_from_core, copy_to_core),
    ]
