from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from .. import dashboard


class HomeView(LoginRequiredMixin, TemplateView):
    """The dashboard (``enlace.core.dashboard``): the figures of the operator's branches, each a
    link to its filtered list, and the charts of the last 12 months / 24 hours."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "dashboard": dashboard.for_viewer(self.request.user)}
