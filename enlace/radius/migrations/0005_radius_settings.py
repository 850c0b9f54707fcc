"""RadiusSettings: the radius app's settings row, which held these fields in core.GeneralParameters
until now. The row is created with the values core had (and, backwards, the values go back to core,
whose migration 0008_settings_moved_to_apps re-adds the fields first): the values are moved, none
is changed."""

import django.db.models.functions.text
from django.db import migrations, models

FIELDS = [
    "radius_blocked_action",
    "radius_notice_pool",
    "radius_notice_address_list",
    "radius_notice_rate_limit",
    "radius_interim_interval",
    "radius_stale_intervals",
]


def copy_from_core(apps, schema_editor):
    db = schema_editor.connection.alias
    values = apps.get_model("core", "GeneralParameters").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if values is not None:
        apps.get_model("radius", "RadiusSettings").objects.using(db).create(pk=1, **values)


def copy_to_core(apps, schema_editor):
    db = schema_editor.connection.alias
    values = apps.get_model("radius", "RadiusSettings").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if values is not None:
        apps.get_model("core", "GeneralParameters").objects.using(db).update_or_create(pk=1, defaults=values)


class Migration(migrations.Migration):

    dependencies = [
        ('radius', '0004_radacct_active_ip_index'),
        ('core', '0007_outbound_email'),
    ]

    operations = [
        migrations.CreateModel(
            name='RadiusSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('radius_blocked_action', models.CharField(choices=[('R', 'Reject the connection'), ('N', 'Connect to the notice page')], default='R', help_text='What FreeRADIUS does with a login whose contract is blocked or not active: reject it, or accept it with the notice pool / address list below so the router redirects it.', max_length=1, verbose_name='blocked contracts')),
                ('radius_notice_pool', models.CharField(blank=True, help_text='Pool on the concentrator for blocked subscribers (Framed-Pool).', max_length=64, verbose_name='notice pool')),
                ('radius_notice_address_list', models.CharField(blank=True, default='bloqueados', help_text='Firewall address list the router redirects to the notice page (Mikrotik-Address-List).', max_length=64, verbose_name='notice address list')),
                ('radius_notice_rate_limit', models.CharField(blank=True, default='256k/256k', help_text='Mikrotik-Rate-Limit of blocked subscribers, e.g. 256k/256k.', max_length=64, verbose_name='notice speed')),
                ('radius_interim_interval', models.PositiveIntegerField(default=300, help_text='Acct-Interim-Interval the concentrators use; sessions are judged stale by it.', verbose_name='accounting interim interval (s)')),
                ('radius_stale_intervals', models.PositiveSmallIntegerField(default=3, help_text='A session without accounting updates for this many intervals is closed.', verbose_name='close sessions after missed interims')),
            ],
            options={
                'verbose_name': 'general parameters',
                'verbose_name_plural': 'general parameters',
                'abstract': False,
                'default_permissions': (),
                'constraints': [models.CheckConstraint(condition=models.Q(('pk', 1)), name='radiussettings_singleton'), models.CheckConstraint(condition=models.Q(('radius_notice_pool', django.db.models.functions.text.Trim('radius_notice_pool'))), name='radiussettings_radius_notice_pool_trimmed'), models.CheckConstraint(condition=models.Q(('radius_notice_address_list', django.db.models.functions.text.Trim('radius_notice_address_list'))), name='radiussettings_radius_notice_address_list_trimmed'), models.CheckConstraint(condition=models.Q(('radius_notice_rate_limit', django.db.models.functions.text.Trim('radius_notice_rate_limit'))), name='radiussettings_radius_notice_rate_limit_trimmed')],
            },
        ),
        migrations.RunPython(copy_from_core, copy_to_core),
    ]
