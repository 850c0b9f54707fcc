from django.urls import path

from enlace.core.views.generic import ObjectDeleteView, model_urls

from . import views
from .models import Message, MessageRule

app_name = "messaging"


class MessageRuleDeleteView(ObjectDeleteView):
    model = MessageRule


urlpatterns = [
    path("messaging/rules/preview/", views.MessageRulePreviewView.as_view(), name="messagerule_preview"),
    *model_urls(
        MessageRule,
        "messaging/rules",
        list=views.MessageRuleListView,
        detail=views.MessageRuleDetailView,
        edit=views.MessageRuleEditView,
        delete=MessageRuleDeleteView,
    ),
    path("messaging/messages/<int:pk>/resend/", views.MessageResendView.as_view(), name="message_resend"),
    *model_urls(
        Message,
        "messaging/messages",
        list=views.MessageListView,
        detail=views.MessageDetailView,
        changes=False,
    ),
    path(
        "customers/<int:pk>/tab/messages/",
        views.CustomerMessagesTabView.as_view(),
        name="customer_tab_messages",
    ),
    path(
        "customers/<int:pk>/messaging-preference/",
        views.CustomerPreferenceView.as_view(),
        name="customer_preference",
    ),
    path("invoices/<int:pk>/messages/", views.InvoiceMessagesView.as_view(), name="invoice_messages"),
    path("messaging/callbacks/twilio/", views.TwilioCallbackView.as_view(), name="callback_twilio"),
    path("messaging/callbacks/webhook/", views.WebhookCallbackView.as_view(), name="callback_webhook"),
]
