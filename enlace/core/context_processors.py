from .navigation import menu_for


def navigation(request):
    """The sidebar menu, built when a template first reads ``nav_menu`` and then kept on the request.

    Context processors run for every template rendered with a ``RequestContext``, and django-tables2
    renders each ``TemplateColumn`` cell that way: built eagerly, the menu (its permission checks and
    URL reversals) was computed once per cell — 49 times for one page of the change log."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def nav_menu():
        menu = getattr(request, "_enlace_nav_menu", None)
        if menu is None:
            menu = request._enlace_nav_menu = menu_for(request)
        return menu

    return {"nav_menu": nav_menu}
