"""Reads of the agencies app: the agency serving a region, and the public look-ups (开通地区查询,
经办机构查询) shared by the pages and the API.

Region codes come from the query string, so the look-ups treat them as untrusted: a malformed
code and an unknown code are two domain errors that pages show as a message and the API as a
field error, never a 500."""

import datetime
import logging
import re
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import (
    Agency,
    BankAccountChange,
    BankChangeStatus,
    CalendarDay,
    CalendarDayKind,
    Insurance,
    Region,
    StaffMembership,
)
from core.errors import DomainError

logger = logging.getLogger(__name__)


def clerk_of(user) -> StaffMembership | None:
    """The clerk's membership (agency and role), or None for anyone who is not an agency's
    active staff member: the one way every app asks "which agency does this user act for"."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.staff_membership
    except ObjectDoesNotExist:
        return None


def agency_for(*, region: Region, insurance: str) -> Agency | None:
    """The agency serving ``insurance`` for ``region``: the region's own, else its nearest
    ancestor's (a district's case goes to its city's agency unless the district has one)."""
    codes = region.ancestor_codes()
    # An agency serving "both" handles the employee pension and medical insurance, not the
    # urban-rural resident pension (城乡居民养老保险), which has agencies of its own.
    served = [insurance] if insurance == "resident_pension" else [insurance, "both"]
    candidates = {
        a.region_id: a
        for a in Agency.objects.filter(region_id__in=codes, insurance__in=served)
        .select_related("region")
        .order_by("insurance")  # "both" sorts before a specific one; a specific one wins below
    }
    for code in codes:
        if code in candidates:
            return candidates[code]
    return None


_REGION_CODE = re.compile(r"^[0-9]{6}$")


class RegionCodeInvalid(DomainError):
    code = "invalid_region_code"
    http_status = 400

    def __init__(self):
        super().__init__(_("行政区划代码应为6位数字。"))


class RegionNotFound(DomainError):
    code = "unknown_region"
    http_status = 404

    def __init__(self, code: str):
        super().__init__(_("未找到行政区划代码为“%(code)s”的地区。") % {"code": code})


def region_get(*, code: str) -> Region:
    """The current region with this code, with its parent and grandparent loaded (one query).

    Raises RegionCodeInvalid for anything but six digits, RegionNotFound for an unknown code."""
    code = (code or "").strip()
    if not _REGION_CODE.match(code):
        raise RegionCodeInvalid()
    try:
        return Region.objects.select_related("parent__parent").get(code=code)
    except Region.DoesNotExist:
        raise RegionNotFound(code) from None


def region_path(*, region: Region) -> list[Region]:
    """The region and its ancestors, province first. Uses the parents already loaded by
    ``region_get``; the tree is at most three levels deep."""
    path = []
    node: Region | None = region
    while node is not None:
        path.append(node)
        node = node.parent
    return list(reversed(path))


def region_children(*, parent: Region | None) -> QuerySet[Region]:
    """The regions directly under ``parent`` (the province-level regions when None), each
    annotated with ``has_children`` so that a list can offer the next level in one query."""
    regions = Region.objects.filter(parent=parent) if parent else Region.objects.filter(level=1)
    return regions.annotate(
        has_children=Exists(Region.objects.filter(parent_id=OuterRef("code")))
    ).order_by("code")


@dataclass(frozen=True)
class ServingAgency:
    """The agency serving one region for one insurance (None when no agency is on record)."""

    region_code: str
    insurance: str
    insurance_label: str
    agency: Agency | None

    @property
    def inherited(self) -> bool:
        """True when the agency belongs to an ancestor (the pooling region), not the region."""
        return self.agency is not None and self.agency.region_id != self.region_code


def agencies_serving(*, region: Region) -> list[ServingAgency]:
    """For each insurance that transfers (pension, then medical), the agency that serves
    ``region``: its own, else its nearest ancestor's (统筹区), else None."""
    return [
        ServingAgency(
            region_code=region.code,
            insurance=insurance.value,
            insurance_label=insurance.label,
            agency=agency_for(region=region, insurance=insurance.value),
        )
        for insurance in Insurance
    ]


def agencies_for_region(*, region: Region) -> list[Agency]:
    """The distinct agencies serving ``region`` for pension and medical, pension's first."""
    found: list[Agency] = []
    for serving in agencies_serving(region=region):
        if serving.agency is not None and serving.agency not in found:
            found.append(serving.agency)
    return found


# ── the working-day calendar table ─────────────────────────────────────────────────────────
# Every process keeps the (small) table in memory and reloads it when the version in the shared
# cache (Redis in production) changes: a save in the back office bumps the version on commit,
# so web processes and workers all count with the new schedule from their next due date.
CALENDAR_VERSION_KEY = "agencies:calendar-version"
_calendar_snapshot: dict = {"version": None, "days": None}


def load_official_calendar() -> dict[datetime.date, bool]:
    """The calendar table read now: date → whether it is a working day (one query)."""
    return {
        day: kind == CalendarDayKind.WORKDAY
        for day, kind in CalendarDay.objects.values_list("date", "kind")
    }


def official_calendar() -> dict[datetime.date, bool]:
    """The calendar table, from memory while the shared version has not changed."""
    try:
        version = cache.get(CALENDAR_VERSION_KEY)
        if version is None:
            cache.add(CALENDAR_VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(CALENDAR_VERSION_KEY)
    except Exception:  # the cache is down: read the table every time rather than guess
        logger.warning("Cache unavailable; reading the calendar table from the database")
        version = None
    if version is not None and _calendar_snapshot["version"] == version:
        return _calendar_snapshot["days"]
    days = load_official_calendar()
    _calendar_snapshot.update(version=version, days=days)
    return days


def forget_official_calendar() -> None:
    """Drop this process's copy (the next read loads the table again)."""
    _calendar_snapshot.update(version=None, days=None)


def pending_bank_changes(*, agency: Agency | None = None) -> list:
    """Fund-account changes waiting for the second superuser (one agency's, or all)."""
    from_models = BankAccountChange.objects.filter(status=BankChangeStatus.PENDING)
    if agency is not None:
        from_models = from_models.filter(agency=agency)
    return list(from_models.select_related("agency", "requested_by")[:20])
