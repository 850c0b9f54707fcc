"""The router of ``/api/v1/``: every app registers its viewsets on the module-level ``router``.

An app's ``api.py`` ends with its registrations::

    from enlace.api.routers import router

    router.register("plans", PlanViewSet)

and its module is listed in ``enlace.api.urls.API_MODULES`` (see there).
"""

from rest_framework.routers import DefaultRouter, Route


class EnlaceRouter(DefaultRouter):
    """DRF's ``DefaultRouter`` plus singleton resources (``viewset.singleton = True``).

    A singleton has one URL, ``<prefix>/``, named ``<basename>-detail``: GET → ``retrieve``,
    PUT → ``update``, PATCH → ``partial_update`` (each only if the viewset allows the method).
    """

    singleton_route = Route(
        url=r"^{prefix}{trailing_slash}$",
        mapping={"get": "retrieve", "put": "update", "patch": "partial_update"},
        name="{basename}-detail",
        detail=True,
        initkwargs={"suffix": "Instance"},
    )

    def get_routes(self, viewset):
        if getattr(viewset, "singleton", False):
            return [self.singleton_route]
        return super().get_routes(viewset)

    def get_method_map(self, viewset, method_map):
        allowed = getattr(viewset, "http_method_names", None)
        bound = super().get_method_map(viewset, method_map)
        if allowed is not None:
            bound = {method: action for method, action in bound.items() if method in allowed}
        return bound

    def get_api_root_view(self, api_urls=None):
        api_root_dict = {}
        for prefix, viewset, basename in self.registry:
            route = self.singleton_route if getattr(viewset, "singleton", False) else self.routes[0]
            api_root_dict[prefix] = route.name.format(basename=basename)
        return self.APIRootView.as_view(api_root_dict=api_root_dict)


router = EnlaceRouter()
