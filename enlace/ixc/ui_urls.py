"""Pages of the ixc app inside Enlace's interface (the webservice itself is ``urls``)."""

from django.urls import path

from .views import OperatorTokenView

app_name = "ixc_ui"

urlpatterns = [
    path("operators/<int:pk>/webservice-token/", OperatorTokenView.as_view(), name="operator_token"),
]
