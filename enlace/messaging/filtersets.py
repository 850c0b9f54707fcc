"""FilterSets of the rules and the delivery log, shared by the list pages and the API.

Query parameters (besides ``q``, the quick search, and DRF's ``ordering``/``page``):

- rules: ``event``, ``branch``, ``active``;
- messages: ``customer`` (id), ``invoice`` (id), ``contract`` (id), ``rule`` (id), ``event``,
  ``channel`` and ``status`` (repeatable), ``created_after``/``created_before`` (dates, inclusive).
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from enlace.core.filtersets import BaseFilterSet, branches_for

from .models import Channel, Event, Message, MessageRule, MessageStatus


class MessageRuleFilterSet(BaseFilterSet):
    search_fields = ("name", "subject")

    event = django_filters.ChoiceFilter(choices=Event.choices, label=_("Event"))
    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))

    class Meta:
        model = MessageRule
        fields = ["event", "branch", "active"]


class MessageFilterSet(BaseFilterSet):
    search_fields = ("recipient", "subject", "customer__name")

    customer = django_filters.NumberFilter(label=_("Customer"))
    invoice = django_filters.NumberFilter(label=_("Invoice"))
    contract = django_filters.NumberFilter(label=_("Contract"))
    rule = django_filters.NumberFilter(label=_("Rule"))
    event = django_filters.MultipleChoiceFilter(choices=Event.choices, label=_("Event"))
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label=_("Channel"))
    status = django_filters.MultipleChoiceFilter(choices=MessageStatus.choices, label=_("Status"))
    created = django_filters.DateFromToRangeFilter(field_name="created_at", label=_("Created"))

    class Meta:
        model = Message
        fields = ["customer", "invoice", "contract", "rule", "event", "channel", "status", "created"]
