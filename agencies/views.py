"""Public look-up pages: 开通地区查询 and 经办机构查询. Server-rendered, plain GET forms, so
they work without JavaScript; a bad or unknown code is a message with a 400/404 status."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from agencies.models import Region
from agencies.selectors import (
    agencies_serving,
    region_children,
    region_get,
    region_path,
)
from core.errors import DomainError


def _error(request, template: str, exc: DomainError, context: dict):
    return render(request, template, {**context, "error": exc.message}, status=exc.http_status)


@require_safe
def region_lookup(request):
    """?parent=<code>: the regions under it with their online-transfer switch; none: provinces."""
    template = "agencies/region_lookup.html"
    code = request.GET.get("parent", "").strip()
    parent = None
    if code:
        try:
            parent = region_get(code=code)
        except DomainError as exc:
            return _error(request, template, exc, {"code": code})
    return render(
        request,
        template,
        {
            "parent": parent,
            "path": region_path(region=parent) if parent else [],
            "children": list(region_children(parent=parent)),
        },
    )


def _selected_region(params) -> Region | None:
    """The region picked in the agency look-up form.

    ``region`` (a typed code or a link from the region look-up) wins. Otherwise the three
    drop-downs are read top-down and a lower choice counts only while it sits under the one
    above: after the province changes, a stale city from the old province is dropped."""
    code = params.get("region", "").strip()
    if code:
        return region_get(code=code)
    chosen = None
    for name in ("province", "city", "county"):
        code = params.get(name, "").strip()
        if not code:
            break
        try:
            region = region_get(code=code)
        except DomainError:
            if chosen is None:
                raise
            break
        if (chosen is None and region.level != 1) or (chosen and region.parent_id != chosen.code):
            break
        chosen = region
    return chosen


def _dropdowns(provinces: list[Region], path: list[Region]) -> list[dict]:
    """One drop-down per level of the chosen path, plus one for the level below it. Beijing's
    districts hang from the municipality, so the second drop-down may list districts."""
    levels = [{"name": "province", "label": _("省（自治区、直辖市）"), "options": provinces}]
    for depth, node in enumerate(path[:2], start=1):
        options = list(region_children(parent=node))
        if not options:
            break
        if depth == 1:
            levels.append({"name": "city", "label": _("市（地区、州）或区"), "options": options})
        else:
            levels.append({"name": "county", "label": _("区（县）"), "options": options})
    for depth, level in enumerate(levels):
        level["selected"] = path[depth].code if depth < len(path) else ""
    return levels


@require_safe
def agency_lookup(request):
    """The agencies serving the chosen region for pension and for medical (nearest ancestor)."""
    template = "agencies/agency_lookup.html"
    provinces = list(region_children(parent=None))
    try:
        region = _selected_region(request.GET)
    except DomainError as exc:
        context = {"levels": _dropdowns(provinces, []), "code": request.GET.get("region", "")}
        return _error(request, template, exc, context)
    path = region_path(region=region) if region else []
    return render(
        request,
        template,
        {
            "region": region,
            "path": path,
            "levels": _dropdowns(provinces, path),
            "serving": agencies_serving(region=region) if region else [],
            "code": region.code if region else "",
        },
    )
