"""``manage.py cnab_import FILE --wallet ID``: import a bank return file (CNAB 240 / 400, SPEC
F-6) — the same service as the "Retornos bancários" screen and ``POST /api/v1/cnab-imports/``.
The whole file is one transaction; a file already imported settles nothing again; a malformed file
is refused with the line that is wrong and nothing changes."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from enlace.billing.models import CnabRecord
from enlace.billing.services.imports import cnab_import
from enlace.core import context
from enlace.core.exceptions import ApplicationError
from enlace.core.models import Wallet


class Command(BaseCommand):
    help = "Import a bank return file (CNAB 240 or 400) and settle the invoices it pays."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--wallet", required=True, type=int, help="id of the billing wallet")
        parser.add_argument("--user", help="operator the import is attributed to")

    def handle(self, *args, file, wallet, user, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No operator {user!r}.")
        wallet_obj = Wallet.objects.filter(pk=wallet).first()
        if wallet_obj is None:
            raise CommandError(f"No wallet {wallet}.")
        path = Path(file)
        try:
            data = path.open("rb")  # read in chunks by the import
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        with data, context.acting_as(actor, source="command"):
            try:
                result = cnab_import(actor=actor, wallet=wallet_obj, data=data, file_name=path.name)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            except ApplicationError as exc:
                raise CommandError(str(exc.message)) from exc
        imp = result.cnab_import
        outcomes = dict(imp.items.values_list("outcome").annotate(n=Count("pk")))
        self.stdout.write(
            f"{path.name}: {imp.records} record(s), {imp.settled} settled (R$ {imp.settled_amount:.2f}), "
            f"{imp.not_settled} not settled."
        )
        for outcome, count in sorted(outcomes.items()):
            self.stdout.write(f"  {CnabRecord.Outcome(outcome).label}: {count}")
