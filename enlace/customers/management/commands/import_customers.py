"""``manage.py import_customers FILE.csv``: bring customers in from another system.

The CSV header names the columns with the API's field names (SPEC §14: ``name``, ``person_type``,
``cpf_cnpj``, ``branch``, ``city`` as IBGE code, ``email``, ...; comma or semicolon separated,
UTF-8). Each line goes through the API's serializer and then ``customer_create`` — the rules and
messages of the form and the API — in its own transaction: a refused line is reported with its
number, field and message and nothing of it is saved; the other lines go on. ``--dry-run`` checks
the whole file and saves nothing. A progress bar runs while it works; a summary closes.
"""

import csv
import io
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from enlace.core import context
from enlace.core.exceptions import ApplicationError
from enlace.customers import services
from enlace.customers.api import MODEL_FIELDS, CustomerSerializer

ACCEPTED_COLUMNS = {*MODEL_FIELDS, "portal_password"}


class DryRunRollback(Exception):
    pass


def _messages(exc) -> list[str]:
    if isinstance(exc, ApplicationError):
        return [f"{exc.field}: {exc.message}" if exc.field else str(exc.message)]
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [f"{field}: {m}" for field, msgs in exc.message_dict.items() for m in msgs]
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in exc.items()]


class Command(BaseCommand):
    help = "Import customers from a CSV file whose columns are the API's field names."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="operator the changes are attributed to (and scoped by)")
        parser.add_argument(
            "--confirm-duplicate-address",
            action="store_true",
            help="save lines whose address another customer has",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every line, save nothing")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, file, user, confirm_duplicate_address, dry_run, no_progress, **options):
        try:
            with open(file, "rb") as fh:
                text = fh.read().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        first = text.splitlines()[0] if text.strip() else ""
        if not first:
            raise CommandError(f"{file} is empty.")
        reader = csv.DictReader(
            io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ","
        )
        unknown = set(reader.fieldnames or []) - ACCEPTED_COLUMNS
        if unknown:
            raise CommandError(f"Unknown columns: {', '.join(sorted(unknown))}.")
        if "name" not in (reader.fieldnames or []):
            raise CommandError("The column 'name' is required.")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No operator named {user!r}.")
        rows = list(reader)
        serializer_context = {"request": SimpleNamespace(user=actor)} if actor else {}
        created, errors = 0, []
        try:
            with context.acting_as(actor, source="command"), transaction.atomic():
                for line, row in enumerate(tqdm(rows, unit="customer", disable=no_progress), start=2):
                    data = {k: v for k, v in row.items() if v not in (None, "")}
                    serializer = CustomerSerializer(data=data, context=serializer_context)
                    if not serializer.is_valid():
                        errors.append((line, _messages(serializer.errors)))
                        continue
                    values = dict(serializer.validated_data)
                    values.pop("confirm_duplicate_address", None)
                    try:
                        with transaction.atomic():
                            services.customer_create(
                                actor=actor, confirm_duplicate_address=confirm_duplicate_address, **values
                            )
                    except (ApplicationError, ValidationError) as exc:
                        errors.append((line, _messages(exc)))
                        continue
                    created += 1
                if dry_run:
                    raise DryRunRollback
        except DryRunRollback:
            pass
        for line, messages in errors:
            for message in messages:
                self.stderr.write(f"line {line}: {message}")
        verb = "would be created (dry run)" if dry_run else "created"
        self.stdout.write(f"{len(rows)} lines read: {created} customers {verb}, {len(errors)} refused.")
        if errors and not created:
            raise CommandError("No customer was imported.")
