"""Operator screens of the finance area ("Financeiro", SPEC §7). Business rules live in the
services (``enlace.billing.services``: ``invoices``, ``payments``, ``imports``, ``runs``,
``renegotiation``, ``collection``) and reads in ``selectors``; these views check permissions, read
the forms and call them."""
