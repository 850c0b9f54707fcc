from django.urls import path

from enlace.core.views.generic import crud_urls, model_urls

from . import filtersets, forms, services, tables, views
from .models import Process, ProcessStep, ServiceOrder, Subject, Ticket

app_name = "support"

urlpatterns = [
    path("tickets/<int:pk>/messages/", views.TicketMessageView.as_view(), name="ticket_message"),
    path("tickets/<int:pk>/do/<str:name>/", views.TicketActionView.as_view(), name="ticket_action"),
    path("service-orders/agenda/", views.AgendaView.as_view(), name="agenda"),
    path(
        "service-orders/<int:pk>/do/<str:name>/",
        views.ServiceOrderActionView.as_view(),
        name="serviceorder_action",
    ),
    path(
        "customers/<int:pk>/tab/tickets/", views.CustomerTicketsTabView.as_view(), name="customer_tab_tickets"
    ),
    path(
        "customers/<int:pk>/tab/service-orders/",
        views.CustomerOrdersTabView.as_view(),
        name="customer_tab_orders",
    ),
    *crud_urls(
        Subject,
        "subjects",
        queryset=Subject.objects.select_related("default_department", "default_process"),
        table=tables.SubjectTable,
        filterset=filtersets.SubjectFilterSet,
        form=forms.SubjectForm,
        save=services.subject_save,
    ),
    *model_urls(
        Process,
        "processes",
        list=type(
            "ProcessListView",
            (views.ObjectListView,),
            {
                "model": Process,
                "table_class": tables.ProcessTable,
                "filterset_class": filtersets.ProcessFilterSet,
            },
        ),
        detail=views.ProcessDetailView,
        edit=views.ProcessEditView,
        delete=views.ProcessDeleteView,
    ),
    *model_urls(
        ProcessStep,
        "process-steps",
        edit=views.ProcessStepEditView,
        delete=views.ProcessStepDeleteView,
        changes=False,
    ),
    *model_urls(
        Ticket,
        "tickets",
        list=views.TicketListView,
        detail=views.TicketDetailView,
        edit=views.TicketEditView,
    ),
    *model_urls(
        ServiceOrder,
        "service-orders",
        list=views.ServiceOrderListView,
        detail=views.ServiceOrderDetailView,
        edit=views.ServiceOrderEditView,
    ),
]
