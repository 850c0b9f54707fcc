"""Webservice credentials: ``Authorization: Basic base64("<operator id>:<token>")``."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from enlace.core.services import object_save
from enlace.core.types import Actor

from ..models import WebserviceToken, token_digest


def webservice_token_create(*, user, actor: Actor) -> str:
    """Make (or replace) the operator's webservice token and answer ``"<id>:<token>"``, what an
    integration puts in its Basic credentials. Only the digest is stored: the token is shown once."""
    token = secrets.token_hex(32)  # 64 hex characters, like IXC's tokens
    with transaction.atomic():
        row = WebserviceToken.objects.filter(user=user).first() or WebserviceToken(user=user)
        row.digest = token_digest(token)
        object_save(row, actor=actor)
    return f"{user.pk}:{token}"


class WebserviceAuthentication(BaseAuthentication):
    """IXC's Basic credentials: the operator's id and webservice token."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _space, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded.strip():
            return None
        try:
            user_id, _colon, token = (
                base64.b64decode(encoded.strip(), validate=False).decode("utf-8").partition(":")
            )
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise AuthenticationFailed(_("Invalid credentials.")) from exc
        row = None
        if user_id.isdigit() and token:
            row = WebserviceToken.objects.select_related("user").filter(user_id=int(user_id)).first()
        if row is None or not hmac.compare_digest(row.digest, token_digest(token)) or not row.user.is_active:
            raise AuthenticationFailed(_("Invalid credentials."))
        return row.user, row

    def authenticate_header(self, request):
        return 'Basic realm="webservice"'


User = get_user_model()
