"""Operator screens of the finance area ("Financeiro", SPEC §7). Business rules live in the
services (``services``, ``imports``, ``runs``, ``renegotiation``, ``collection``); these views check
permissions and branch scope, read the forms and call them."""
