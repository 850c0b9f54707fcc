"""Moving in from IXC Provedor (``manage.py import_ixc``, docs/ixc.md).

- ``sources``: where the rows come from — a MariaDB/MySQL server holding IXC's database, or a
  running IXC's webservice (``/webservice/v1/<tabela>`` with ``ixcsoft: listar``). Both yield each
  row as IXC's webservice shows it: a dict of column name → string.
- ``tables``: one function per IXC table that turns a row into Enlace's records through Enlace's
  services (same validation as the screens), idempotent by the external id.
- ``runner``: the run: order of the tables, one savepoint per row (a refused row is reported with
  its IXC id and reason and the rest goes on), ``--dry-run`` (everything rolled back), the summary.
"""
