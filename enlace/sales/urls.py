from django.urls import path

from enlace.core.views.generic import crud_urls, model_urls

from . import filtersets, forms, services, tables, views
from .models import Product, Sale

app_name = "sales"

urlpatterns = [
    path("sales/add/", views.SaleEditView.as_view(), name="sale_add"),
    path("sales/<int:pk>/edit/", views.SaleEditView.as_view(), name="sale_edit"),
    path("sales/<int:pk>/finish/", views.SaleFinishView.as_view(), name="sale_finish"),
    path("sales/<int:pk>/status/", views.SaleStatusView.as_view(), name="sale_status"),
    *model_urls(
        Sale, "sales", list=views.SaleListView, detail=views.SaleDetailView, delete=views.SaleDeleteView
    ),
    *crud_urls(
        Product,
        "products",
        table=tables.ProductTable,
        filterset=filtersets.ProductFilterSet,
        form=forms.ProductForm,
        queryset=Product.objects.select_related("analytic_account"),
        save=services.product_save,
    ),
    path("customers/<int:pk>/tab/sales/", views.CustomerSalesTabView.as_view(), name="customer_tab_sales"),
]
