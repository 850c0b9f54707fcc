"""``manage.py radius_sync [--check]`` — rebuild FreeRADIUS's read tables from Enlace's records.

Enlace writes ``radcheck``, ``radreply``, ``radusergroup``, ``radgroupcheck``, ``radgroupreply``
and ``nas`` in the same transaction as each change, so they should never differ; this command
puts them right after a restore, a manual edit or a bug. ``--check`` changes nothing: it lists
every difference and exits with status 1 when there is one.
"""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from enlace.radius import projection
from enlace.radius.models import Login


class Command(BaseCommand):
    help = "Rebuild FreeRADIUS's tables from Enlace's logins, plans, concentrators and parameters."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only report differences (exit 1 if any).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, check=False, no_progress=False, **options):
        total = Login.objects.count()
        bar = tqdm(
            total=total, unit="login", desc="computing", disable=no_progress or total < 1000, file=self.stderr
        )
        with transaction.atomic():
            expected = projection.expected_rows(progress=lambda: bar.update(1))
            bar.close()
            actual = projection.actual_rows()
            differences = 0
            for table in projection.TABLE_MODELS:
                want, have = Counter(expected[table]), Counter(actual[table])
                missing, extra = want - have, have - want
                differences += sum(missing.values()) + sum(extra.values())
                for row in sorted(missing, key=repr):
                    self.stdout.write(f"{table}: missing {_show(table, row)}")
                for row in sorted(extra, key=repr):
                    self.stdout.write(f"{table}: unexpected {_show(table, row)}")
                if not check and (missing or extra):
                    self._rewrite(table, want, missing, extra)
            if check:
                if differences:
                    raise CommandError(f"{differences} difference(s) between Enlace and FreeRADIUS's tables.")
                self.stdout.write("FreeRADIUS's tables match Enlace's records.")
            else:
                self.stdout.write(f"{differences} row(s) fixed." if differences else "Nothing to fix.")

    def _rewrite(self, table, want: Counter, missing: Counter, extra: Counter) -> None:
        """Replace every row of each key (user, group or NAS) that differs."""
        model = projection.TABLE_MODELS[table]
        key_field = {"nas": "nasname", "radgroupcheck": "groupname", "radgroupreply": "groupname"}.get(
            table, "username"
        )
        keys = {row[0] for row in (*missing, *extra)}
        keys_list = sorted(keys)
        for start in range(0, len(keys_list), 500):
            model.objects.filter(**{f"{key_field}__in": keys_list[start : start + 500]}).delete()
        rows = [row for row in want.elements() if row[0] in keys]
        model.objects.bulk_create([projection.make_row(table, row) for row in rows], batch_size=1000)


def _show(table: str, row: tuple) -> str:
    if table == "radcheck" and row[1] in ("Cleartext-Password", "MD5-Password"):
        row = (*row[:3], "********")
    if table == "nas":
        row = (*row[:4], "********", *row[5:])
    return " ".join("" if v is None else str(v) for v in row)
