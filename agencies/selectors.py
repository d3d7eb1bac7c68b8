from agencies.models import Agency, Region


def agency_for(*, region: Region, insurance: str) -> Agency | None:
    """The agency serving ``insurance`` for ``region``: the region's own, else its nearest
    ancestor's (a district's case goes to its city's agency unless the district has one)."""
    codes = region.ancestor_codes()
    candidates = {
        a.region_id: a
        for a in Agency.objects.filter(region_id__in=codes, insurance__in=[insurance, "both"])
        .select_related("region")
        .order_by("insurance")  # "both" sorts before a specific one; a specific one wins below
    }
    for code in codes:
        if code in candidates:
            return candidates[code]
    return None
