"""Operator screens of the finance area ("Financeiro", SPEC §7: receivables, boleto and PIX, settlement,
renegotiation and the collection routine). Business rules live in the
services (``enlace.billing.services``: ``invoices``, ``payments``, ``imports``, ``runs``,
``renegotiation``, ``collection``) and reads in ``selectors``; these views check permissions, read
the forms and call them."""
