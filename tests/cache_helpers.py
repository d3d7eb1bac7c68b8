"""Emptying the cache in tests without emptying Redis: with ``REDIS_URL`` the cache and Celery's
broker share one Redis database, and ``cache.clear()`` (FLUSHDB) would also drop the broker's
queues, bindings and unacknowledged messages."""

from django.core.cache import cache


def clear_cache_keys() -> None:
    """Every key of the cache (django-redis: its own prefix and version only), nothing else."""
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()
