"""Widgets shared by every area: ``PickerSelect`` (a searchable select fed by ``/pick/<kind>/``,
see ``core.pickers``) and ``MoneyInput`` (Brazilian money typed as text, see ``core.fields``)."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PickerSelect(forms.Select):
    """A ``<select>`` with only the chosen option; the browser (``core/enlace.js``) makes it a
    Tom Select box that searches ``/pick/<kind>/``. ``depends`` names another field of the form
    whose value is sent along (``?<depends>=<value>``) and clears this one when it changes."""

    def __init__(self, kind: str, *, depends: str = "", attrs=None, placeholder=None):
        super().__init__(attrs=attrs)
        self.kind = kind
        self.depends = depends
        self.placeholder = placeholder

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-picker"] = reverse("core:pick", args=[self.kind])
        widget_attrs["data-picker-placeholder"] = str(self.placeholder or _("Type to search…"))
        widget_attrs["data-picker-empty"] = str(_("Nothing found."))
        if self.depends:
            widget_attrs["data-picker-depends"] = self.depends
        return context

    def optgroups(self, name, value, attrs=None):
        """Only the chosen option (and the empty one): never the whole list (a million customers,
        5,570 cities)."""
        chosen = [str(v) for v in value if v not in (None, "")]
        groups = [(None, [self.create_option(name, "", "---------", not chosen, 0)], 0)]
        choices = getattr(self, "choices", None)
        queryset = getattr(choices, "queryset", None)
        if chosen and queryset is not None:
            field = choices.field
            for index, obj in enumerate(queryset.filter(pk__in=chosen), start=1):
                option = self.create_option(
                    name, choices.choice(obj)[0], field.label_from_instance(obj), True, index
                )
                groups.append((None, [option], index))
        elif chosen:
            for index, (option_value, label) in enumerate(self.choices, start=1):
                if str(option_value) in chosen:
                    groups.append((None, [self.create_option(name, option_value, label, True, index)], index))
        return groups


def use_picker(form, name: str, kind: str, *, depends: str = "") -> None:
    """Make the choice field ``name`` of ``form`` (if present) a searchable ``PickerSelect`` of
    ``kind``; its queryset still decides what is accepted."""
    field = form.fields.get(name)
    if field is None:
        return
    attrs = {"class": "form-select"}
    if field.required:
        attrs["required"] = "required"
    field.widget = PickerSelect(kind, depends=depends, attrs=attrs)
    field.widget.choices = field.choices
    field.widget.is_required = field.required


class MoneyInput(forms.TextInput):
    """Money typed the Brazilian way ("1.234,56") or with a dot ("1234.56"); shown as "1.234,56"
    with an "R$" before the box. ``data-money`` lets the page format it and, with
    ``data-money-reference`` (e.g. the plan's price), ask before saving a value more than
    ``data-money-factor`` (10) times larger."""

    input_type = "text"
    is_money = True

    def __init__(self, attrs=None):
        base = {"inputmode": "decimal", "data-money": "", "autocomplete": "off"}
        super().__init__(attrs={**base, **(attrs or {})})

    def format_value(self, value):
        from .money import brl

        if value in (None, ""):
            return ""
        try:
            return brl(value, symbol=False)
        except (ArithmeticError, ValueError, TypeError):
            return str(value)  # what was typed, shown back with its error
