"""``manage.py import_ceps FILE.csv``: load the local CEP table (SPEC A-1: the CEP
lookup asks this table first, then the online provider).

The file has a header with the columns ``cep,logradouro,bairro,ibge,uf`` (comma or semicolon
separated, UTF-8). Existing CEPs are updated; lines with an invalid CEP or an unknown IBGE code
are skipped and counted. A progress bar runs while it loads; a summary closes.
"""

import csv
import io

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from enlace.core.models import City
from enlace.customers.models import Cep
from enlace.customers.validators import digits

REQUIRED_COLUMNS = {"cep", "logradouro", "bairro", "ibge", "uf"}


class Command(BaseCommand):
    help = "Import CEPs into the local CEP table from a CSV file (cep,logradouro,bairro,ibge,uf)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with the columns cep,logradouro,bairro,ibge,uf")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args, file, batch_size, no_progress, **options):
        try:
            with open(file, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        text = raw.decode("utf-8-sig", errors="replace")
        lines = text.splitlines()
        if not lines:
            raise CommandError(f"{file} is empty.")
        delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        columns = {c.strip().lower() for c in (reader.fieldnames or [])}
        missing = REQUIRED_COLUMNS - columns
        if missing:
            raise CommandError(
                f"Missing columns: {', '.join(sorted(missing))} "
                f"(expected {','.join(sorted(REQUIRED_COLUMNS))})."
            )
        cities = dict(City.objects.select_related("state").values_list("code", "state__abbr"))
        existing = set()
        created = updated = 0
        skipped: dict[str, int] = {}
        batch: list[Cep] = []

        def flush():
            nonlocal created, updated
            if not batch:
                return
            keys = [row.cep for row in batch]
            present = set(Cep.objects.filter(cep__in=keys).values_list("cep", flat=True)) | (
                existing & set(keys)
            )
            with transaction.atomic():
                Cep.objects.bulk_create(
                    batch,
                    update_conflicts=True,
                    unique_fields=["cep"],
                    update_fields=["street", "neighborhood", "city", "state", "source", "updated_at"],
                )
            updated += len(present)
            created += len(batch) - len(present)
            existing.update(keys)
            batch.clear()

        total = max(len(lines) - 1, 0)
        seen_in_file: set[str] = set()
        bar = tqdm(reader, total=total, unit=" CEP", disable=no_progress, file=self.stderr._out)
        for line in bar:
            line = {(k or "").strip().lower(): (v or "").strip() for k, v in line.items()}
            cep = digits(line.get("cep"))
            if len(cep) != 8:
                skipped["invalid CEP"] = skipped.get("invalid CEP", 0) + 1
                continue
            try:
                ibge = int(digits(line.get("ibge")) or 0)
            except ValueError:
                ibge = 0
            state = cities.get(ibge)
            if state is None:
                skipped["unknown IBGE code"] = skipped.get("unknown IBGE code", 0) + 1
                continue
            uf = (line.get("uf") or "").upper()
            if uf and uf != state:
                skipped["state does not match the city"] = skipped.get("state does not match the city", 0) + 1
                continue
            if cep in seen_in_file:  # the last line of a repeated CEP wins
                flush()
            seen_in_file.add(cep)
            batch.append(
                Cep(
                    cep=cep,
                    street=line.get("logradouro", "")[:120],
                    neighborhood=line.get("bairro", "")[:80],
                    city_id=ibge,
                    state=state,
                    source=Cep.Source.IMPORT,
                )
            )
            if len(batch) >= batch_size:
                flush()
        flush()
        bar.close()
        total_skipped = sum(skipped.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"CEPs: {created} created, {updated} updated, {total_skipped} skipped; "
                f"{Cep.objects.count()} in the local table."
            )
        )
        for reason, count in sorted(skipped.items()):
            self.stdout.write(f"  skipped ({reason}): {count}")
