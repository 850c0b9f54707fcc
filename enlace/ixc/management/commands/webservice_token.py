"""``manage.py webservice_token <username>``: make (or replace) an operator's token for the
IXC-compatible webservice and print ``<operator id>:<token>`` (what integrations put in their
Basic credentials). The token is shown only now; Enlace keeps its digest."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from enlace.core import context

from ...webservice.auth import webservice_token_create


class Command(BaseCommand):
    help = "Make an operator's webservice token and print <operator id>:<token>."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No operator named {username!r}.")
        with context.acting_as(None, source="command"):
            self.stdout.write(webservice_token_create(user=user, actor=None))
