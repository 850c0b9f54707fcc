"""``manage.py import_ixc``: bring an ISP's data in from IXC Provedor (docs/ixc.md).

From a MariaDB/MySQL server holding IXC's database (``--mysql`` with host/port/user/password/
database or a socket) or from a running IXC's webservice (``--webservice URL --ixc-user ID
--ixc-token TOKEN``). Every row goes through Enlace's services; a refused row is reported with its
IXC id and reason and the rest goes on. ``--dry-run`` rolls everything back and prints what would
happen. A second run updates instead of duplicating (idempotent by the IXC id). Progress bars run
while it works; a table per IXC table closes (read, created, updated, unchanged, refused).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from enlace.core.models import Branch, PaymentCondition

from ...importer.runner import NOT_YET, ORDER, import_all, make_run
from ...importer.sources import MysqlSource, SourceError, WebserviceSource


class Command(BaseCommand):
    help = "Import customers, contracts, logins, receivables and tickets from IXC Provedor."

    def add_arguments(self, parser):
        source = parser.add_argument_group("source")
        source.add_argument("--mysql", action="store_true", help="read IXC's database from a MariaDB server")
        source.add_argument("--host", default="127.0.0.1")
        source.add_argument("--port", type=int, default=3306)
        source.add_argument("--db-user", default="root")
        source.add_argument("--db-password", default="")
        source.add_argument("--database", default="ixcprovedor")
        source.add_argument("--socket", default="")
        source.add_argument(
            "--webservice", metavar="URL", help="IXC's webservice, e.g. https://ixc.example/webservice/v1"
        )
        source.add_argument("--ixc-user", help="IXC user id of the webservice token")
        source.add_argument("--ixc-token", help="IXC webservice token")
        parser.add_argument("--branch", help="default branch (id or name) for rows of an unmatched filial")
        parser.add_argument("--payment-condition", help="payment condition (id or name) of the contracts")
        parser.add_argument("--user", help="operator the changes are attributed to (and scoped by)")
        parser.add_argument("--tables", help=f"comma-separated subset of: {', '.join(ORDER + NOT_YET)}")
        parser.add_argument("--dry-run", action="store_true", help="import everything, then roll it all back")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--max-errors", type=int, default=50, help="refused rows listed per table")

    def handle(self, *args, **options):
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No operator named {options['user']!r}.")
        branch = _pick(Branch, options["branch"]) or Branch.objects.order_by("pk").first()
        if branch is None:
            raise CommandError("Create a branch first (or give --branch).")
        condition = (
            _pick(PaymentCondition, options["payment_condition"])
            or PaymentCondition.objects.order_by("pk").first()
        )
        if condition is None:
            raise CommandError("Create a payment condition first (or give --payment-condition).")
        wanted = (
            tuple(t.strip() for t in options["tables"].split(",")) if options["tables"] else ORDER + NOT_YET
        )
        unknown = set(wanted) - set(ORDER + NOT_YET)
        if unknown:
            raise CommandError(f"Unknown tables: {', '.join(sorted(unknown))}.")
        try:
            if options["webservice"]:
                if not (options["ixc_user"] and options["ixc_token"]):
                    raise CommandError("--webservice needs --ixc-user and --ixc-token.")
                source = WebserviceSource(
                    base_url=options["webservice"], user_id=options["ixc_user"], token=options["ixc_token"]
                )
            elif options["mysql"]:
                source = MysqlSource(
                    host=options["host"],
                    port=options["port"],
                    user=options["db_user"],
                    password=options["db_password"],
                    database=options["database"],
                    socket=options["socket"],
                )
            else:
                raise CommandError("Give the source: --mysql … or --webservice URL.")
        except SourceError as exc:
            raise CommandError(str(exc)) from exc

        bars: list = []

        def progress(table, total):
            bar = tqdm(
                total=total, unit=" rows", desc=table, disable=options["no_progress"], file=self.stderr._out
            )
            bars.append(bar)
            return bar.update

        run = make_run(actor=actor, default_branch=branch, payment_condition=condition)
        try:
            reports = import_all(
                source, run, tables_wanted=wanted, dry_run=options["dry_run"], progress=progress
            )
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars:
                bar.close()
            source.close()
        self._report(reports, dry_run=options["dry_run"], max_errors=options["max_errors"])

    def _report(self, reports, *, dry_run: bool, max_errors: int) -> None:
        for report in reports:
            for ixc_id, reason in report.refused[:max_errors]:
                self.stdout.write(f"{report.table} id {ixc_id}: refused: {reason}")
            if len(report.refused) > max_errors:
                self.stdout.write(f"{report.table}: … and {len(report.refused) - max_errors} more refused")
        title = "IXC import (dry run: nothing was saved)" if dry_run else "IXC import"
        created = "would create" if dry_run else "created"
        updated = "would update" if dry_run else "updated"
        header = f"{'table':<18}{'read':>9}{created:>14}{updated:>14}{'unchanged':>11}{'refused':>9}  note"
        self.stdout.write(title)
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for r in reports:
            self.stdout.write(
                f"{r.table:<18}{r.read:>9}{r.created:>14}{r.updated:>14}{r.unchanged:>11}{len(r.refused):>9}  {r.note}"
            )


def _pick(model, value):
    if not value:
        return None
    found = (
        model.objects.filter(pk=int(value)).first()
        if str(value).isdigit()
        else model.objects.filter(name=value).first()
    )
    if found is None:
        raise CommandError(f"No {model._meta.verbose_name} {value!r}.")
    return found
