# The portal app is wiring only (settings, URLs, Celery, the home page); its one former model,
# Notification, moved to ``core`` (table kept, see core/migrations/0001_initial.py).
