"""Pages every app shares: login, logout, the lockout answer, and my messages (我的消息)."""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from core import login_guard
from core.accounts import password_change
from core.forms import LoginForm, PasswordChangeForm
from core.models import Notification
from core.throttles import throttle_page


@method_decorator(throttle_page("login"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Insured persons land on their records, clerks (``is_staff``) in the back office; a safe
    ``next`` still wins, as in Django's own view. A login the guard refuses answers 429."""

    form_class = LoginForm

    def form_invalid(self, form):
        reason = getattr(self.request, "login_guard_blocked", None)
        if reason:
            return render(
                self.request,
                "registration/locked_out.html",
                {"message": login_guard.message(reason)},
                status=429,
            )
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, failure_limit=settings.AXES_FAILURE_LIMIT)

    def get_default_redirect_url(self):
        if self.request.user.is_staff:
            return resolve_url("admin:index")
        return resolve_url(settings.LOGIN_REDIRECT_URL)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("您已安全退出。"))
        return response


def locked_out(request, response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a plain Chinese message with the
    wait time, as JSON for the API; 429 either way."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    if minutes:
        message = _("登录失败次数过多，账号已暂时锁定。请%(minutes)d分钟后再试。") % {
            "minutes": minutes
        }
    else:
        message = _("登录失败次数过多，账号已锁定。请联系经办机构或拨打12333解锁。")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": message}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


@sensitive_post_parameters("old_password", "new_password", "new_password_confirm")
@login_required
@require_http_methods(["GET", "POST"])
def password_change_page(request):
    """修改密码: the old password, then the new one twice. This session stays logged in; the
    user's other sessions and API tokens end."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("home")
    return render(request, "core/password_change.html", {"form": form})


@login_required
def notifications(request):
    """我的消息: the in-app notification list; POST marks them all read."""
    mine = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, _("已全部标为已读。"))
        return redirect("notifications")
    page = Paginator(mine, 20).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})
