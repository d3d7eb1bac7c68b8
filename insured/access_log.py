"""个人信息查询留痕: one append-only row each time a clerk opens a person's records, a case or
a document carrying the full ID number, or looks a person up at the counter. Who, when, what
and why (the case it was for, or 窗口服务). The supervisor reads it per clerk and per person;
the person reads on their own records page which agency looked and when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    SEARCH = "search", _("按身份证号查询")
    RECORDS = "records", _("查看参保记录")
    CASE = "case", _("查看转移申请")
    DOCUMENT = "document", _("查看或打印文书")
    ISSUE = "issue", _("窗口代为出具文书")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the access log is append-only")

    def delete(self):
        raise PermissionError("the access log is append-only")


class PersonAccess(models.Model):
    person = models.ForeignKey(
        "insured.InsuredPerson",
        verbose_name=_("参保人"),
        on_delete=models.PROTECT,
        related_name="accesses",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人员"), on_delete=models.PROTECT
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("经办机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("查询内容"), max_length=10, choices=AccessKind.choices)
    reference = models.CharField(_("对象"), max_length=64, blank=True)
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息查询记录")
        verbose_name_plural = _("个人信息查询留痕")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "at"], name="access_person_at_idx"),
            models.Index(fields=["agency", "user", "at"], name="access_agency_user_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the access log is append-only")


def log_access(*, user, agency, person, kind: str, reference: str = "", reason: str = ""):
    """Write one row (services: the caller passes the clerk's agency, None for a superuser)."""
    return PersonAccess.objects.create(
        user=user,
        agency=agency,
        person=person,
        kind=kind,
        reference=reference[:64],
        reason=reason[:200],
    )


def accesses_seen_by_person(*, person, limit: int = 50) -> list[dict]:
    """What the person reads: which agency looked at their information, when, and what."""
    rows = (
        PersonAccess.objects.filter(person=person)
        .select_related("agency")
        .order_by("-at", "-id")[:limit]
    )
    return [
        {
            "at": row.at,
            "agency": row.agency.name if row.agency else _("系统管理员"),
            "kind": row.get_kind_display(),
            "reason": row.reason,
        }
        for row in rows
    ]
