"""The API's pagination (the project default, ``REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]``).

Pages are numbered (``?page=``, ``?page_size=`` up to 1000). A list whose rows are wide — computed
columns (``annotate``: a login's online status and session address, a pool's addresses in use)
or joined rows (``select_related``: a contract with its customer, plan, branch and wallet) — is
paged over ids first: PostgreSQL builds the SELECT list of every row an ``OFFSET`` skips, so page
1,437 of the logins computed 35,900 subqueries (662 ms), and page 1,500 of the contracts joined and
sorted 75,000 wide rows, spilling 60 MB to disk (1.5 s). The ids of the page come from a query
without the computed columns and the joins (they stay in WHERE and ORDER BY when a filter or the
ordering uses them), then only that page's rows are loaded, joined and annotated, in the same
order. The answer is the same: ``count``, ``next``, ``previous`` and ``results``.
"""

from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from rest_framework.pagination import PageNumberPagination


def wide_rows(queryset) -> bool:
    """Whether the queryset yields model instances with annotations or joined rows (then
    ids-first pays off)."""
    return (
        isinstance(queryset, QuerySet)
        and queryset._iterable_class is ModelIterable
        and bool(queryset.query.annotation_select or queryset.query.select_related)
    )


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        if not wide_rows(queryset):
            return super().paginate_queryset(queryset, request, view)
        page_ids = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        if page_ids is None:
            return None
        rows = {row.pk: row for row in queryset.filter(pk__in=page_ids).order_by()}
        # A row deleted between the two queries is left out, as if the page had been read before.
        return [rows[pk] for pk in page_ids if pk in rows]
