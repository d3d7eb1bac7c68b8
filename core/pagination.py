"""Pagination that never counts a million rows: the count stops at a cap.

Django's admin and DRF's page-number pagination ask ``COUNT(*)`` of the whole filtered list on
every page view. An agency with hundreds of thousands of cases would pay for a full count each
time; nobody pages that far. ``CappedCountPaginator`` counts at most ``cap`` + 1 rows (an
index-only ``LIMIT`` subquery), reports the cap, and says when it was reached."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        if not hasattr(self.object_list, "order_by"):
            return len(self.object_list)
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.count_capped = counted > self.cap
        return min(counted, self.cap)

    count_capped = False
