from django.db import transaction

from agencies import names
from agencies.models import Region
from agencies.regions import current_regions


@transaction.atomic
def regions_load() -> int:
    """Load the current GB/T 2260 tree; existing codes keep their online switch. Idempotent."""
    existing = set(Region.objects.values_list("code", flat=True))
    new = [
        Region(
            code=row.code,
            name=row.name,
            level=row.level,
            parent_id=row.parent,
            online_transfer_enabled=row.online_transfer_enabled,
        )
        for row in current_regions()
        if row.code not in existing
    ]
    Region.objects.bulk_create(new, batch_size=1000)  # bulk: no signals, so say it here
    names.invalidate()
    return len(new)
