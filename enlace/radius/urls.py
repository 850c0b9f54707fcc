from django.urls import path

from enlace.core.views.generic import model_urls

from . import views
from .models import IpPool, Login, Nas

app_name = "radius"

urlpatterns = [
    path(
        "logins/generate-password/",
        views.GeneratePasswordView.as_view(),
        name="login_generate_password",
    ),
    path("logins/<int:pk>/disconnect/", views.LoginDisconnectView.as_view(), name="login_disconnect"),
    path("contracts/<int:pk>/tab/logins/", views.ContractLoginsTabView.as_view(), name="contract_tab_logins"),
    path("customers/<int:pk>/tab/logins/", views.CustomerLoginsTabView.as_view(), name="customer_tab_logins"),
    *model_urls(
        Nas,
        "nas",
        list=views.NasListView,
        detail=views.NasDetailView,
        edit=views.NasEditView,
        delete=views.NasDeleteView,
    ),
    *model_urls(
        IpPool,
        "ip-pools",
        list=views.IpPoolListView,
        detail=views.IpPoolDetailView,
        edit=views.IpPoolEditView,
        delete=views.IpPoolDeleteView,
    ),
    *model_urls(
        Login,
        "logins",
        list=views.LoginListView,
        detail=views.LoginDetailView,
        edit=views.LoginEditView,
        delete=views.LoginDeleteView,
    ),
]
