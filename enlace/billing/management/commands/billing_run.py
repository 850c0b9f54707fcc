"""``manage.py billing_run --period YYYY-MM [--branch ID]``: generate the period's recurring
invoices (SPEC F-3). Running it again for the same period creates nothing twice. A progress bar
runs while it works; a summary closes."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from enlace.billing.selectors import billable_contracts
from enlace.billing.services.runs import billing_run_execute, billing_run_start
from enlace.core import context
from enlace.core.models import Branch


class Command(BaseCommand):
    help = "Generate one recurring invoice per active contract for a period (YYYY-MM)."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="competência, e.g. 2026-12")
        parser.add_argument("--branch", type=int, help="only this branch's contracts (id)")
        parser.add_argument("--user", help="operator the run is attributed to")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, period, branch, user, no_progress, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No operator {user!r}.")
        branch_obj = Branch.objects.filter(pk=branch).first() if branch else None
        if branch and branch_obj is None:
            raise CommandError(f"No branch {branch}.")
        with context.acting_as(actor, source="command"):
            try:
                run = billing_run_start(actor=actor, period=period, branch=branch_obj)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            bar = tqdm(
                total=billable_contracts(period, branch=branch_obj).count(),
                unit="contract",
                desc=f"billing {period}",
                disable=no_progress,
                file=self.stderr,
            )
            run = billing_run_execute(run, progress=bar.update)
            bar.close()
        self.stdout.write(
            f"Billing run {run.period}: {run.created} invoice(s) created, {run.skipped} skipped, "
            f"{run.errors} error(s), total R$ {run.amount:.2f}."
        )
        for message in run.error_messages[:20]:
            self.stdout.write(f"  {message}")
