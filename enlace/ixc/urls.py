from django.urls import path

from .webservice.views import WebserviceView

app_name = "ixc"

urlpatterns = [
    path("<str:tabela>", WebserviceView.as_view(), name="webservice"),
    path("<str:tabela>/<int:record_id>", WebserviceView.as_view(), name="webservice-detail"),
]
