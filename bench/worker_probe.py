"""Loaded into the workflow benchmark's worker (``celery worker --include bench.worker_probe``):
adds the CPU seconds each worker process spends rendering and signing documents
(``documents.services._render``, the span ``bench/workflow.py`` times in-process) to a Redis
counter. The PDF-bound limit can then also be taken from the PDF work of the flow itself: the
same processes, the same minutes, whatever the speed of a shared machine does meanwhile."""

import os
import time

from celery import signals


@signals.worker_process_init.connect
def time_the_pdf_work(**kwargs) -> None:
    import redis

    import documents.services

    key = os.environ["BENCH_PDF_CPU_KEY"]
    store = redis.Redis.from_url(os.environ["REDIS_URL"])
    render = documents.services._render

    def timed_render(*args, **kwargs):
        started = time.thread_time()
        try:
            return render(*args, **kwargs)
        finally:
            store.incrbyfloat(key, time.thread_time() - started)

    documents.services._render = timed_render
