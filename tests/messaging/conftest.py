"""Fixtures of the messaging tests: the real SMTP server and the provider stand-in."""

from tests.helpers.messaging_provider import provider_server, twilio_provider, webhook_provider  # noqa: F401
from tests.helpers.smtp import smtp_server  # noqa: F401
