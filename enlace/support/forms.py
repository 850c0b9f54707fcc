"""Operator forms of support. They never save: the views hand the values to
``enlace.support.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.contracts.models import Contract
from enlace.core.forms import EnlaceForm, EnlaceModelForm
from enlace.core.models import Department, Employee
from enlace.core.widgets import use_picker
from enlace.radius.models import Login

from . import actions, selectors
from .models import Priority, Process, ProcessStep, ServiceOrder, Subject, Ticket

SUBJECT_FIELDS = [
    "name",
    "purpose",
    "default_description",
    "default_opening_message",
    "default_department",
    "default_process",
    "default_priority",
    "allowed_overdue",
    "portal_visible",
    "requires_login",
    "requires_contract",
    "close_requires_note",
    "close_requires_technician",
    "active",
]

TICKET_FIELDS = [
    "subject",
    "subject_description",
    "description",
    "contract",
    "login",
    "department",
    "responsible",
    "process",
    "priority",
    "reserved_date",
    "best_time",
    "address_origin",
    "address",
    "latitude",
    "longitude",
]
TICKET_EDIT_EXTRA = ["pending_interaction", "complementary_status"]

ORDER_FIELDS = [
    "subject",
    "department",
    "description",
    "priority",
    "contract",
    "login",
    "address",
    "latitude",
    "longitude",
]


def _departments():
    return Department.objects.filter(serves_tickets=True, active=True)


class SubjectForm(EnlaceModelForm):
    class Meta:
        model = Subject
        fields = SUBJECT_FIELDS
        widgets = {"default_opening_message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_department"].queryset = _departments()
        self.fields["default_process"].queryset = Process.objects.filter(active=True)


class ProcessForm(EnlaceModelForm):
    class Meta:
        model = Process
        fields = ["name", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ProcessStepForm(EnlaceModelForm):
    class Meta:
        model = ProcessStep
        fields = [
            "process",
            "order",
            "subject",
            "department",
            "technician",
            "description",
            "complementary_status",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = Subject.objects.filter(active=True).exclude(
            purpose=Subject.Purpose.TICKET
        )
        self.fields["department"].queryset = _departments()
        self.fields["technician"].queryset = selectors.technicians(self.user)
        use_picker(self, "technician", "technician")
        if self.instance.pk or self.initial.get("process"):
            self.fields["process"].disabled = True


class OwnedForm(EnlaceModelForm):
    """Ticket and service order forms: the customer is fixed (from the page the form was opened
    from); contract and login choices are the customer's own (T-3)."""

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        user = self.user
        contracts = Contract.objects.restrict(user).filter(customer=customer)
        logins = Login.objects.restrict(user).filter(customer=customer)
        self.fields["contract"].queryset = contracts
        self.fields["login"].queryset = logins
        self.fields["department"].queryset = _departments()
        self.fields["department"].required = False
        self.fields["department"].help_text = _("Empty: the subject's default department.")
        if customer is not None and customer.is_lead:
            del self.fields["contract"]
            del self.fields["login"]


class TicketForm(OwnedForm):
    """New ticket or edit: never the status (T-11: it follows the ticket's situation), the origin (T-8:
    set automatically, hotsite from the portal) or the protocol."""

    priority = forms.ChoiceField(
        label=_("priority"),
        choices=[("", _("The subject's default")), *Priority.choices],
        required=False,
    )

    class Meta:
        model = Ticket
        fields = TICKET_FIELDS + TICKET_EDIT_EXTRA
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "reserved_date": forms.DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        subjects = Subject.objects.filter(active=True).exclude(purpose=Subject.Purpose.SERVICE_ORDER)
        if self.instance.subject_id:
            subjects = subjects | Subject.objects.filter(pk=self.instance.subject_id)
        self.fields["subject"].queryset = subjects.distinct()
        self.fields["process"].queryset = Process.objects.filter(active=True)
        self.fields["responsible"].queryset = Employee.objects.restrict(user).filter(active=True)
        use_picker(self, "responsible", "employee")
        self.fields["subject_description"].help_text = _("Empty: the subject's default description.")
        if self.instance.pk is None:
            for name in TICKET_EDIT_EXTRA:
                del self.fields[name]
            self.fields["process"].help_text = _("Empty: the subject's default process.")
        else:
            self.fields["priority"].required = True
            self.fields["priority"].choices = Priority.choices
            del self.fields["process"]  # the process started with the ticket

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        if self.instance.pk is None:
            for name in ("priority", "subject_description"):
                if not data.get(name):
                    data.pop(name, None)
            for name in ("department", "process"):
                if data.get(name) is None:
                    data.pop(name, None)
        return data


class ServiceOrderForm(OwnedForm):
    class Meta:
        model = ServiceOrder
        fields = ORDER_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        subjects = Subject.objects.filter(active=True).exclude(purpose=Subject.Purpose.TICKET)
        if self.instance.subject_id:
            subjects = subjects | Subject.objects.filter(pk=self.instance.subject_id)
        self.fields["subject"].queryset = subjects.distinct()
        if ticket is not None:
            for name in ("contract", "login", "address", "latitude", "longitude"):
                self.fields.pop(name, None)

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        if data.get("department") is None:
            data.pop("department", None)
        return data


class MessageForm(EnlaceForm):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(
        label=_("Public (the subscriber sees it and gets it by e-mail)"), required=False, initial=True
    )


class TicketActionForm(EnlaceForm):
    """Closing note (close) or reason (cancel, reopen)."""

    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


def _action_field(item: actions.Input, user) -> forms.Field:
    """The form field of one action input (``actions.Input``). Every one is optional here: the
    service says what is missing, naming it."""
    if item.kind == actions.TECHNICIAN:
        return forms.ModelChoiceField(label=item.label, queryset=selectors.technicians(user), required=False)
    if item.kind == actions.DEPARTMENT:
        return forms.ModelChoiceField(label=item.label, queryset=_departments(), required=False)
    if item.kind == actions.DATETIME:
        return forms.DateTimeField(
            label=item.label,
            required=False,
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        )
    if item.kind == actions.COORDINATE:
        return forms.DecimalField(label=item.label, max_digits=9, decimal_places=6, required=False)
    return forms.CharField(label=item.label, widget=forms.Textarea(attrs={"rows": 2}), required=False)


class OrderActionForm(EnlaceForm):
    """The values of one service order action: the inputs its spec declares, in its order."""

    def __init__(self, *args, spec: actions.ActionSpec, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        for item in spec.fields:
            self.fields[item.name] = _action_field(item, self.user)


class AgendaForm(EnlaceForm):
    technician = forms.ModelChoiceField(label=_("Technician"), queryset=Employee.objects.none())
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = selectors.technicians(self.user)
