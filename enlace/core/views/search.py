from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.views import View

from .. import search


class SearchView(LoginRequiredMixin, View):
    """The top bar's global search (``enlace.core.search``): the drop-down of results when asked
    by HTMX while typing, otherwise the results page — or, with exactly one hit, that record."""

    def get(self, request):
        text = request.GET.get("q", "").strip()[:200]
        groups = search.search(request.user, text)
        hits = [hit for group in groups for hit in group["hits"]]
        context = {"q": text, "groups": groups, "count": len(hits)}
        if request.htmx and request.htmx.target == "global-search-results":
            return render(request, "core/includes/search_results.html", context)
        if len(hits) == 1:
            return redirect(hits[0].url)
        return render(request, "core/search.html", context)
