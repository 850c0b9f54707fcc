"""One import run: the tables in dependency order, a savepoint per row, the report."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from enlace.billing.models import WalletSequence
from enlace.billing.services.common import YEARLY_BANKS
from enlace.core import context
from enlace.core.exceptions import ApplicationError
from enlace.core.models import Wallet

from ..models import ExternalKind
from . import bulk, support, tables, writing
from .common import CREATED, UNCHANGED, UPDATED, Run
from .sources import Source

logger = logging.getLogger(__name__)

#: Tables in the order they are imported (a row refers only to tables above it).
ORDER = (
    "filial",
    "cidade",
    "usuarios",
    "radgrupos",
    "vd_contratos",
    "cliente",
    "cliente_contrato",
    "radusuarios",
    "fn_areceber",
    "su_oss_assunto",
    "su_ticket",
    "su_mensagens",
    "su_oss_chamado",
)
#: Rows per chunk of the bulk tables (``bulk.IMPORTERS``).
CHUNK = 1000
#: Tables IXC has that this import reads but does not bring in yet (listed in the report).
NOT_YET: tuple[str, ...] = ()


@dataclass
class TableReport:
    table: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time (the database server's is not counted)
    fallbacks: int = 0  # chunks whose bulk write failed and that were imported row by row


class DryRunRollback(Exception):
    pass


def error_text(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return f"{exc.field}: {exc.message}" if getattr(exc, "field", None) else str(exc.message)
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def make_run(*, actor, default_branch, payment_condition) -> Run:
    wallets: dict[int, int] = {}
    for wallet_id, branch_id in (
        Wallet.objects.filter(active=True).order_by("pk").values_list("pk", "branch_id")
    ):
        wallets.setdefault(branch_id, wallet_id)
    run = Run(
        actor=actor,
        default_branch_id=default_branch.pk,
        wallet_ids=wallets,
        payment_condition_id=payment_condition.pk,
    )
    # Filiais and cidades matched by an earlier run (a run of some tables only still uses them).
    run.branches.update(run.id_map(ExternalKind.FILIAL))
    run.cities.update(run.id_map(ExternalKind.CIDADE))
    return run


def _continue_sequences(run: Run) -> None:
    """The wallet's nosso número sequence continues after the highest imported number (F-4: a number
    is never given twice). Yearly (Sicredi) sequences keep their own numbering."""
    for wallet_id, highest in run.highest_nosso_numero.items():
        wallet = Wallet.objects.get(pk=wallet_id)
        if wallet.bank_code in YEARLY_BANKS:
            continue
        WalletSequence.objects.get_or_create(wallet=wallet)
        WalletSequence.objects.filter(wallet=wallet).update(next_value=Greatest(F("next_value"), highest + 1))


def _import_row(run: Run, row: dict, importer: Callable, report: TableReport, *, read: bool = True) -> None:
    """One row through the per-row services, in its own savepoint."""
    if read:
        report.read += 1
    try:
        with transaction.atomic():
            outcome = importer(run, row)
    except (ApplicationError, ValidationError, DatabaseError, ValueError, LookupError) as exc:
        report.refused.append((row.get("id", "?"), error_text(exc)))
        outcome = None
    if outcome == CREATED:
        report.created += 1
    elif outcome == UPDATED:
        report.updated += 1
    elif outcome == UNCHANGED:
        report.unchanged += 1


def _chunks(rows: Iterator[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _import_chunk(
    run: Run, table: str, chunk: list[dict], importer: Callable, report: TableReport, prefetch: Callable
) -> None:
    """A chunk of a bulk table: rows imported before (known external id) are compared and updated
    one by one; new rows go through ``bulk`` in one savepoint — its refused rows are reported, the
    rows it leaves (statuses it does not cover) and, when its writes fail, the whole chunk's new
    rows are imported one by one. The next chunk is read from the source (``prefetch``) while the
    database still writes this one (``writing.background``)."""
    report.read += len(chunk)
    known = run.id_map(str(ExternalKind(table)))
    new, seen = [], set()
    for row in chunk:
        ixc_id = row.get("id", "")
        if ixc_id in known or ixc_id in seen:
            _import_row(run, row, importer, report, read=False)
        else:
            seen.add(ixc_id)
            new.append(row)
    if not new:
        return
    try:
        with transaction.atomic(), writing.checked_per_statement():
            result = bulk.IMPORTERS[table](run, new)
            prefetch()
    except (ApplicationError, ValidationError, DatabaseError, ValueError, LookupError) as exc:
        logger.warning("IXC %s: a chunk is imported row by row after: %s", table, error_text(exc))
        report.fallbacks += 1
        run.ids.clear()  # the id maps are read again from the database: the chunk rolled back
        for row in new:
            _import_row(run, row, importer, report, read=False)
        return
    report.created += result.created
    report.refused.extend(result.refused)
    for row in result.per_row:
        _import_row(run, row, importer, report, read=False)


def _import_bulk_table(
    run: Run, table: str, rows: Iterator[dict], importer: Callable, report: TableReport, step
) -> None:
    chunks = _chunks(rows, CHUNK)
    ahead: list = []

    def prefetch() -> None:
        ahead.append(next(chunks, None))

    chunk = next(chunks, None)
    while chunk is not None:
        _import_chunk(run, table, chunk, importer, report, prefetch)
        if step:
            step(len(chunk))
        chunk = ahead.pop() if ahead else next(chunks, None)


def import_all(
    source: Source,
    run: Run,
    *,
    tables_wanted: tuple[str, ...] = ORDER,
    dry_run: bool = False,
    progress: Callable | None = None,
) -> list[TableReport]:
    """Import every wanted table of ``source``; with ``dry_run`` everything is rolled back at the
    end (the report says what would be created). ``progress(table, total)`` returns a callable
    advanced once per row (a tqdm bar in the command)."""
    reports: list[TableReport] = []
    groups: dict[str, dict] = {}
    importers: dict[str, Callable] = {
        "filial": tables.import_filial,
        "cidade": tables.import_cidade,
        "vd_contratos": partial(tables.import_vd_contratos, groups=groups),
        "cliente": tables.import_cliente,
        "cliente_contrato": tables.import_cliente_contrato,
        "radusuarios": tables.import_radusuarios,
        "fn_areceber": tables.import_fn_areceber,
        "su_oss_assunto": tables.import_su_oss_assunto,
        "su_ticket": tables.import_su_ticket,
        "su_mensagens": support.import_su_mensagens,
        "su_oss_chamado": support.import_su_oss_chamado,
        "usuarios": support.import_usuarios,
    }
    try:
        with (
            context.acting_as(run.actor, source="command"),
            transaction.atomic(durable=False),
            writing.background(),
        ):
            for table in ORDER:
                if table not in tables_wanted:
                    continue
                report = TableReport(table)
                reports.append(report)
                started, cpu = time.perf_counter(), time.process_time()
                if not source.has_table(table):
                    report.note = _("not in the source")
                    continue
                total = source.count(table)
                step = progress(table, total) if progress else None
                if table == "radgrupos":
                    for row in source.rows(table):
                        groups[row["id"]] = row
                        report.read += 1
                        report.unchanged += 1
                        if step:
                            step()
                    report.note = _("speeds of the plans")
                    continue
                importer = importers[table]
                if table in bulk.IMPORTERS:
                    _import_bulk_table(run, table, source.rows(table), importer, report, step)
                else:
                    for row in source.rows(table):
                        _import_row(run, row, importer, report)
                        if step:
                            step()
                if table == "fn_areceber":
                    _continue_sequences(run)
                report.seconds = time.perf_counter() - started
                report.cpu_seconds = time.process_time() - cpu
            for table in NOT_YET:
                if table in tables_wanted and source.has_table(table):
                    reports.append(
                        TableReport(table, read=source.count(table) or 0, note=_("not imported yet"))
                    )
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    return reports
