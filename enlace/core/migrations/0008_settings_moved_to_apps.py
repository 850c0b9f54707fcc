"""The fields of customers, portal, billing and RADIUS leave core.GeneralParameters for each app's
own settings row. This runs after the apps' migrations have copied the values (and, backwards,
re-adds the fields with their defaults before those migrations copy the values back)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_outbound_email'),
        ('customers', '0004_customer_settings'),
        ('portal', '0003_portal_settings'),
        ('billing', '0005_billing_settings'),
        ('radius', '0005_radius_settings'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='generalparameters',
            options={'default_permissions': ('add', 'change', 'delete', 'view'), 'verbose_name': 'general parameters', 'verbose_name_plural': 'general parameters'},
        ),
        migrations.RemoveConstraint(
            model_name='generalparameters',
            name='generalparameters_radius_notice_pool_trimmed',
        ),
        migrations.RemoveConstraint(
            model_name='generalparameters',
            name='generalparameters_radius_notice_address_list_trimmed',
        ),
        migrations.RemoveConstraint(
            model_name='generalparameters',
            name='generalparameters_radius_notice_rate_limit_trimmed',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='allow_duplicate_cpf_cnpj',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='billing_days_ahead',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='collection_block_days',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='collection_notice_days',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='cpf_cnpj_required',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='default_analytic_account',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='files_max_size_mb',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='name_length_warning',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='portal_auto_access',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='portal_lockout_attempts',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='portal_lockout_minutes',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='portal_login_by_document',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='portal_logo',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='portal_session_minutes',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='radius_blocked_action',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='radius_interim_interval',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='radius_notice_address_list',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='radius_notice_pool',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='radius_notice_rate_limit',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='radius_stale_intervals',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='trust_unlock_days',
        ),
        migrations.RemoveField(
            model_name='generalparameters',
            name='validate_duplicate_address',
        ),
    ]
