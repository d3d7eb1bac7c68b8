"""Names of regions and agencies, cached in each process.

A case page or a list names its regions ("江苏省南京市鼓楼区") and agencies on every row. They
are small (about 3,200 regions, a few hundred agencies) and change almost never, so each
process keeps them in memory instead of joining five tables per case. A change (a save, a
delete, the region loader) bumps a version in the shared cache; every process checks it at
most every few seconds and reloads when it moved, so all processes see a change quickly."""

import threading
import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from agencies.models import Agency, Region

VERSION_KEY = "agencies:names:version"
CHECK_EVERY = 5.0  # seconds between looks at the shared version

_lock = threading.Lock()
_state: dict = {
    "version": None,
    "checked": 0.0,
    "regions": {},
    "agencies": {},
    "agency_regions": {},
}


def _current() -> dict:
    now = time.monotonic()
    if _state["version"] is not None and now - _state["checked"] < CHECK_EVERY:
        return _state
    version = cache.get(VERSION_KEY, 0)
    with _lock:
        if _state["version"] != version:
            _state["regions"] = {
                code: (name, parent)
                for code, name, parent in Region.objects.values_list("code", "name", "parent_id")
            }
            rows = list(Agency.objects.values_list("pk", "name", "region_id"))
            _state["agencies"] = {pk: name for pk, name, _region in rows}
            _state["agency_regions"] = {pk: region for pk, _name, region in rows}
            _state["version"] = version
        _state["checked"] = now
    return _state


def region_full_name(code: str | None) -> str:
    """Province, city and county names joined (as ``Region.full_name``), without a query."""
    regions = _current()["regions"]
    names = []
    while code:
        name, code = regions.get(code, ("", None))
        names.append(name)
    return "".join(reversed(names))


def agency_name(agency_id: int | None) -> str:
    if agency_id is None:
        return ""
    names = _current()["agencies"]
    if agency_id not in names:  # created since the last load in this process
        invalidate()
        names = _current()["agencies"]
    return names.get(agency_id, "")


def invalidate(**kwargs) -> None:
    """Make every process reload the names (after any change to a region or an agency)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, timeout=None)
    _state["version"] = None


def connect() -> None:
    for model in (Region, Agency):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"names-{model.__name__}-save")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"names-{model.__name__}-del")


def region(code: str | None) -> Region | None:
    """A Region with its parents, built from the cached names (code, name, parent) without a
    query: what ``region.full_name()`` and ``region.name`` read. Its other fields are deferred
    (loaded from the database only if something reads them). A new object each call."""
    if code is None:
        return None
    name, parent = _current()["regions"].get(code, ("", None))
    instance = Region.from_db(None, ["code", "name", "parent_id"], [code, name, parent])
    if parent is not None:
        instance.parent = region(parent)
    return instance


def agency(agency_id: int | None) -> Agency | None:
    """An Agency with its name and region (as ``region()``), other fields deferred: for pages
    that print an agency's name or place, without a join per row. A new object each call."""
    if agency_id is None:
        return None
    name = agency_name(agency_id)  # reloads the names if the agency is new to this process
    region_code = _current()["agency_regions"].get(agency_id)
    instance = Agency.from_db(None, ["id", "name", "region_id"], [agency_id, name, region_code])
    instance.region = region(region_code)
    return instance
