"""The operator's own account: changing the password."""

from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, where a wrong current password counts as a failed login of the
    operator from this address (django-axes, ``enlace.core.lockout``): a session left open on
    another person's screen is not a way to guess the password. When the count reaches the lockout
    limit the session is logged out and the lockout page is shown (AxesMiddleware)."""

    def form_invalid(self, form):
        if "old_password" in form.errors:
            request = self.request
            user_login_failed.send(
                sender=__name__, credentials={"username": request.user.get_username()}, request=request
            )
            if getattr(request, "axes_locked_out", False):
                logout(request)
        return super().form_invalid(form)
