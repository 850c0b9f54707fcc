"""The operator's webservice token on the operator's page (Configurações ➜ Operadores ➜ an
operator): "Generate webservice token" makes (or replaces) it through the same service as
``manage.py webservice_token`` and shows ``<operator id>:<token>`` once — only its digest is kept.

Who may: an administrator who may change the operator (``auth.change_user``, the operator within
their branches — ``core.operators.operator_queryset`` — and a superuser's token only by a superuser).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views import View

from enlace.core.operators import operator_queryset

from .webservice.auth import webservice_token_create


class OperatorTokenView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        if not request.user.has_perm("auth.change_user"):
            raise PermissionDenied
        operator = get_object_or_404(operator_queryset(request.user), pk=pk)
        if operator.is_superuser and not request.user.is_superuser:
            raise PermissionDenied
        credentials = webservice_token_create(user=operator, actor=request.user)
        response = render(
            request, "ixc/webservice_token.html", {"object": operator, "credentials": credentials}
        )
        response["Cache-Control"] = "no-store"  # the token is shown once: never from a cache
        return response
