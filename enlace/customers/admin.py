"""Django admin: read-only views of the registry. Customers are written through the services only
(the operator screens and the API), never from the admin."""

from django.contrib import admin

from .models import Cep, Customer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "person_type", "cpf_cnpj", "branch", "active", "is_lead")
    list_filter = ("active", "is_lead", "person_type", "branch")
    search_fields = ("name", "cpf_cnpj", "email")
    exclude = ("portal_password",)


@admin.register(Cep)
class CepAdmin(admin.ModelAdmin):
    list_display = ("cep", "street", "neighborhood", "city", "state", "source", "updated_at")
    list_filter = ("source", "state")
    search_fields = ("cep", "street")
    raw_id_fields = ("city",)
