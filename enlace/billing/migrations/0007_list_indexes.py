# Indexes of the receivables and payments lists (issue 22; EXPLAIN figures in docs/bench.md).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0006_sicredi_yearly_sequence'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='invoice',
            index=models.Index(fields=['due_date', 'id'], name='invoice_due_id_idx'),
        ),
        migrations.AddIndex(
            model_name='invoice',
            index=models.Index(
                condition=models.Q(('status__in', ('A', 'P'))), fields=['due_date', 'id'], name='invoice_open_due_idx'
            ),
        ),
        migrations.AddIndex(
            model_name='invoice',
            index=models.Index(fields=['period', 'status', 'due_date', 'id'], name='invoice_period_status_idx'),
        ),
        migrations.AddIndex(
            model_name='invoice',
            index=models.Index(fields=['branch', 'due_date', 'id'], name='invoice_branch_due_idx'),
        ),
        migrations.AddIndex(
            model_name='payment',
            index=models.Index(fields=['date', 'id'], name='payment_date_id_idx'),
        ),
    ]
