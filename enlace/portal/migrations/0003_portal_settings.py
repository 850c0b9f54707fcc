"""PortalSettings: the portal app's settings row, which held these fields in core.GeneralParameters
until now. The row is created with the values core had (and, backwards, the values go back to core,
whose migration 0008_settings_moved_to_apps re-adds the fields first): the values are moved, none
is changed."""

import django.core.validators
from django.db import migrations, models

FIELDS = [
    "portal_auto_access",
    "portal_login_by_document",
    "portal_logo",
    "portal_lockout_attempts",
    "portal_lockout_minutes",
    "portal_session_minutes",
]


def copy_from_core(apps, schema_editor):
    db = schema_editor.connection.alias
    values = apps.get_model("core", "GeneralParameters").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if values is not None:
        apps.get_model("portal", "PortalSettings").objects.using(db).create(pk=1, **values)


def copy_to_core(apps, schema_editor):
    db = schema_editor.connection.alias
    values = apps.get_model("portal", "PortalSettings").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if values is not None:
        apps.get_model("core", "GeneralParameters").objects.using(db).update_or_create(pk=1, defaults=values)


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0002_password_reset_throttle'),
        ('core', '0007_outbound_email'),
    ]

    operations = [
        migrations.CreateModel(
            name='PortalSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('portal_auto_access', models.BooleanField(default=False, help_text="Customers set to 'Default' enter the portal without a password from the IP of one of their own connected logins.", verbose_name='allow automatic access')),
                ('portal_login_by_document', models.BooleanField(default=False, help_text='Subscribers may type their CPF/CNPJ instead of the portal login.', verbose_name='log in with CPF/CNPJ')),
                ('portal_logo', models.ImageField(blank=True, help_text='Shown at the top of the subscriber portal (PNG, JPEG or WebP).', upload_to='portal/', verbose_name='portal logo')),
                ('portal_lockout_attempts', models.PositiveSmallIntegerField(default=3, help_text='After this many wrong passwords the source IP is refused for a while.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='failed logins before lockout')),
                ('portal_lockout_minutes', models.PositiveSmallIntegerField(default=30, help_text='How long a source IP is refused after the failed logins.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='lockout period (minutes)')),
                ('portal_session_minutes', models.PositiveSmallIntegerField(default=30, help_text='A subscriber idle for this long must log in again.', validators=[django.core.validators.MinValueValidator(5)], verbose_name='portal session expiry (minutes)')),
            ],
            options={
                'verbose_name': 'general parameters',
                'verbose_name_plural': 'general parameters',
                'abstract': False,
                'default_permissions': (),
                'constraints': [models.CheckConstraint(condition=models.Q(('pk', 1)), name='portalsettings_singleton')],
            },
        ),
        migrations.RunPython(copy_from_core, copy_to_core),
    ]
