"""CustomerSettings: the customers app's settings row, which held these fields in core.GeneralParameters
until now. The row is created with the values core had (and, backwards, the values go back to core,
whose migration 0008_settings_moved_to_apps re-adds the fields first): the values are moved, none
is changed."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

FIELDS = [
    "cpf_cnpj_required",
    "allow_duplicate_cpf_cnpj",
    "validate_duplicate_address",
    "name_length_warning",
    "default_analytic_account_id",
    "files_max_size_mb",
]


def copy_from_core(apps, schema_editor):
    db = schema_editor.connection.alias
    values = apps.get_model("core", "GeneralParameters").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if values is not None:
        apps.get_model("customers", "CustomerSettings").objects.using(db).create(pk=1, **values)


def copy_to_core(apps, schema_editor):
    db = schema_editor.connection.alias
    values = apps.get_model("customers", "CustomerSettings").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if values is not None:
        apps.get_model("core", "GeneralParameters").objects.using(db).update_or_create(pk=1, defaults=values)


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0003_customerfile'),
        ('core', '0007_outbound_email'),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomerSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('cpf_cnpj_required', models.BooleanField(default=True, help_text='Physical and legal persons cannot be saved without a valid CPF/CNPJ.', verbose_name='CNPJ/CPF required')),
                ('allow_duplicate_cpf_cnpj', models.BooleanField(default=False, help_text='Allow two customers with the same CPF/CNPJ.', verbose_name='allow duplicate CNPJ/CPF')),
                ('validate_duplicate_address', models.BooleanField(default=False, help_text='Warn when another customer has the same street, number and neighbourhood.', verbose_name='validate duplicate address')),
                ('name_length_warning', models.PositiveSmallIntegerField(default=40, help_text='Bank files cut names past this length.', verbose_name='warn when the name is longer than')),
                ('files_max_size_mb', models.PositiveSmallIntegerField(default=20, help_text="Files uploaded to a customer's 'Files' tab may not be larger than this.", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1024)], verbose_name='maximum file size (MB)')),
                ('default_analytic_account', models.ForeignKey(blank=True, help_text='Filled in customers saved without one.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.analyticaccount', verbose_name='default analytic account')),
            ],
            options={
                'verbose_name': 'general parameters',
                'verbose_name_plural': 'general parameters',
                'abstract': False,
                'default_permissions': (),
                'constraints': [models.CheckConstraint(condition=models.Q(('pk', 1)), name='customersettings_singleton')],
            },
        ),
        migrations.RunPython(copy_from_core, copy_to_core),
    ]
