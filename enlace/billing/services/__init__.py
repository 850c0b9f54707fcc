"""Writers of the finance area, one module per entity (rules of the house: ``<entity>_<action>(*,
..., actor)``, each one transaction):

- ``invoices``: one-off invoices, cancellation, the boleto and PIX of an invoice
  (``invoice_create``, ``invoice_cancel``, ``invoice_fill_charges``);
- ``payments``: settlement and reversal (``payment_create``, ``payment_reverse``);
- ``runs``: the billing run (``billing_run_start``, ``billing_run_claim``, ``billing_run_execute``);
- ``imports``: bank return files (``cnab_import``);
- ``renegotiation``: the renegotiation wizard's steps (``renegotiation_start`` … ``_finish``);
- ``collection``: the collection routine and the trust unlock (``collection_run``,
  ``collection_check_contract``, ``trust_unlock``, ``trust_unlock_forbid``);
- ``common``: cents rounding and the wallet's nosso número sequence.

Reads (amount due, late charges, billable contracts, overdue contracts, stale runs, the lists an
operator sees) are in ``enlace.billing.selectors``.
"""
