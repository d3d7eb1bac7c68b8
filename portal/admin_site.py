"""The back office's admin site: a second factor on every page, and the workbench
(经办工作台) as its landing page, under a header naming the platform and the clerk's agency.

Staff sign in with their password (the admin login or /login/), then on ``otp/`` type the
6-digit code of their authenticator app (or a backup code); on the first login ``otp/enrol/``
shows the QR code to scan. Until then ``has_permission`` is False for every admin page."""

import segno
from django import forms
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login

from agencies.selectors import clerk_of, pending_bank_changes
from core import otp
from transfers import counter
from transfers.workbench import workbench

PLATFORM = gettext_lazy("社会保险网上服务平台")


class OTPForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("动态验证码"),
        max_length=12,
        help_text=gettext_lazy("身份验证器应用显示的6位数字，或一个8位备用码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PortalAdminSite(admin.AdminSite):
    site_title = gettext_lazy("经办后台")
    site_header = PLATFORM
    index_title = gettext_lazy("经办工作台")
    index_template = "admin/workbench.html"

    # --- who may enter ------------------------------------------------------------------
    def has_permission(self, request):
        user = request.user
        return super().has_permission(request) and bool(
            getattr(user, "is_verified", None) and user.is_verified()
        )

    def _needs_second_factor(self, request) -> bool:
        user = request.user
        return bool(
            user.is_authenticated
            and user.is_active
            and user.is_staff
            and not (getattr(user, "is_verified", None) and user.is_verified())
        )

    def _next(self, request) -> str:
        target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return reverse("admin:index", current_app=self.name)

    def login(self, request, extra_context=None):
        if self._needs_second_factor(request):
            url = reverse("admin:otp_verify", current_app=self.name)
            return HttpResponseRedirect(
                f"{url}?{urlencode({REDIRECT_FIELD_NAME: self._next(request)})}"
            )
        return super().login(request, extra_context)

    def each_context(self, request):
        context = super().each_context(request)
        clerk = clerk_of(request.user)
        if clerk is not None:
            context["site_header"] = f"{PLATFORM} · {clerk.agency.name}"
        context["clerk"] = clerk
        return context

    # --- the second factor ------------------------------------------------------------------
    def get_urls(self):
        def clerk_view(view):
            def only_clerks(request, *args, **kwargs):
                if not (request.user.is_superuser or clerk_of(request.user) is not None):
                    raise PermissionDenied
                return view(self, request, *args, **kwargs)

            return self.admin_view(only_clerks)

        return [
            path("otp/", self.otp_verify, name="otp_verify"),
            path("otp/enrol/", self.otp_enrol, name="otp_enrol"),
            path("counter/", clerk_view(counter.search), name="counter_search"),
            path(
                "counter/person/<int:person_id>/",
                clerk_view(counter.person),
                name="counter_person",
            ),
            path(
                "counter/person/<int:person_id>/issue/",
                clerk_view(counter.issue),
                name="counter_issue",
            ),
            path(
                "counter/person/<int:person_id>/apply/",
                clerk_view(counter.apply),
                name="counter_apply",
            ),
            path(
                "counter/person/<int:person_id>/collect/<int:enrollment_id>/",
                clerk_view(counter.collect),
                name="counter_collect",
            ),
            path(
                "counter/document/<int:document_id>/",
                clerk_view(counter.print_document),
                name="counter_print",
            ),
            path("counter/letters/", clerk_view(counter.batch_print), name="counter_batch_print"),
            *super().get_urls(),
        ]

    def _otp_page(self, request, template, context, status=200):
        context = {
            **self.each_context(request),
            "next": self._next(request),
            "site_header": PLATFORM,
            **context,
        }
        return TemplateResponse(request, template, context, status=status)

    def _not_signed_in(self, request):
        if not request.user.is_authenticated or not request.user.is_active:
            return redirect(reverse("admin:login", current_app=self.name))
        if not request.user.is_staff:
            return redirect("/")
        return None

    def otp_verify(self, request):
        """The second step of every staff login: the code of the enrolled device."""
        if response := self._not_signed_in(request):
            return response
        if not self._needs_second_factor(request):
            return redirect(self._next(request))
        user = request.user
        if not otp.has_device(user):
            url = reverse("admin:otp_enrol", current_app=self.name)
            return redirect(f"{url}?{urlencode({REDIRECT_FIELD_NAME: self._next(request)})}")
        form = OTPForm(request.POST or None)
        status = 200
        locked = otp.locked_until(user)
        if request.method == "POST" and form.is_valid() and locked is None:
            device = otp.match_staff_otp(user, form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return redirect(self._next(request))
            locked = otp.locked_until(user)
            if locked is None:
                form.add_error("code", _("动态验证码不正确，请重新输入。"))
            status = 400
        if locked is not None:
            status = 429 if request.method == "POST" else 200
        return self._otp_page(
            request,
            "admin/otp_verify.html",
            {"form": form, "locked_until": locked, "title": _("输入动态验证码")},
            status=status,
        )

    def otp_enrol(self, request):
        """First login: scan the QR code, type the first code; the backup codes shown once."""
        if response := self._not_signed_in(request):
            return response
        user = request.user
        if otp.has_device(user):
            # A device is bound already: changing it is the superuser's job (README).
            return redirect(reverse("admin:otp_verify", current_app=self.name))
        device = otp.pending_totp(user)
        form = OTPForm(request.POST or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            codes = otp.confirm_enrolment(user, device, form.cleaned_data["code"])
            if codes is not None:
                otp_login(request, device)
                return self._otp_page(
                    request,
                    "admin/otp_backup_codes.html",
                    {"codes": codes, "title": _("备用验证码")},
                )
            form.add_error("code", _("动态验证码不正确，请核对手机时间后重新输入。"))
            status = 400
        qr = segno.make(device.config_url, error="m")
        return self._otp_page(
            request,
            "admin/otp_enrol.html",
            {
                "form": form,
                "qr_svg": qr.svg_inline(scale=4, title=_("身份验证器二维码")),
                "secret": otp.secret_base32(device),
                "title": _("绑定身份验证器"),
            },
            status=status,
        )

    # --- the landing page -------------------------------------------------------------------
    def index(self, request, extra_context=None):
        clerk = clerk_of(request.user)
        context = {"agency": clerk.agency if clerk else None, **(extra_context or {})}
        if clerk is not None or request.user.is_superuser:
            context.update(workbench(clerk=clerk))
            context["pending_bank_changes"] = pending_bank_changes(
                agency=None if request.user.is_superuser else clerk.agency
            )
            context["changelist_url"] = reverse("admin:transfers_transfercase_changelist")
            context["counter_url"] = reverse("admin:counter_search", current_app=self.name)
        return super().index(request, extra_context=context)
