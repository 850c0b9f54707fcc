"""``core.tablecells``: django-tables2 reads a render function's signature once, and cells still
get the arguments their render asks for."""

import re

import django_tables2 as tables
import pytest
from django.utils import translation
from django_tables2 import utils

import enlace.core.tables  # noqa: F401  (installs the memo, as every list of Enlace does)
from enlace.core import tablecells


class Thing:
    def __init__(self, name):
        self.name = name


class ThingTable(tables.Table):
    name = tables.Column()
    shout = tables.Column(accessor="name", empty_values=())

    def render_shout(self, value, record):
        return f"{value.upper()}!{record.name}"


def test_signature_is_read_once_per_function(monkeypatch):
    calls = []
    assert getattr(utils.signature, "memoized", False)

    def counting(fn, _seen=calls):
        _seen.append(fn)
        return ("value", "record"), None

    monkeypatch.setattr(utils, "signature", counting)
    tablecells.install()
    table = ThingTable([Thing("a"), Thing("b"), Thing("c")])
    assert [row.get_cell("shout") for row in table.rows] == ["A!a", "B!b", "C!c"]
    assert len(calls) == 1


class Row:
    def __init__(self, pk, name, amount, when):
        self.pk, self.name, self.amount, self.when = pk, name, amount, when


class WideTable(tables.Table):
    name = tables.Column(attrs={"td": {"class": "text-nowrap"}})
    amount = tables.Column(localize=True)
    plain = tables.Column(accessor="amount", localize=False)
    when = tables.DateTimeColumn(format="d/m/Y H:i")
    shout = tables.Column(accessor="name", attrs={"td": {"data-n": lambda record: record.pk}})

    class Meta:
        row_attrs = {"data-row": lambda record: record.pk}
        empty_text = "Nada <aqui>"

    def render_shout(self, value):
        return f"<{value}>"  # escaped: a plain string


def normalized(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


@pytest.mark.parametrize("empty", [False, True])
def test_rows_tag_writes_what_the_library_template_writes(rf, empty):
    from decimal import Decimal

    from django.utils import timezone

    when = timezone.now()
    data = [] if empty else [Row(1, "Ana & Cia", Decimal("1234.5"), when), Row(2, "Bia", Decimal("7"), when)]
    request = rf.get("/")
    with translation.override("pt-br"):
        library = WideTable(data, template_name="django_tables2/bootstrap5.html").as_html(request)
        ours = WideTable(data, template_name="django_tables2/enlace.html").as_html(request)
    assert normalized(ours) == normalized(library)
    assert ("Nada &lt;aqui&gt;" in ours) == empty and ("Ana &amp; Cia" in ours) != empty
