# Production-like image: gunicorn serves the portal; the same image runs the worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

# WeasyPrint needs Pango; the forms need CJK fonts; libharfbuzz-subset0 keeps CJK subsetting
# fast; gettext compiles the English translation.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-noto-cjk gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install . \
 && python manage.py compilemessages -v0 \
 && DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=localhost \
    EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend python manage.py collectstatic --noinput -v0

RUN useradd --system --uid 1000 portal && mkdir -p /data/media /data/signing \
 && chown portal /data/media /data/signing && chmod 700 /data/signing
USER portal
ENV MEDIA_ROOT=/data/media DOCUMENT_SIGNING_DIR=/data/signing DEBUG=0
EXPOSE 8000
# Request line and header caps (bytes): anything longer is refused by gunicorn before Django; the
# body cap is REQUEST_BODY_MAX_BYTES in the app and client_max_body_size at the proxy (README).
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", \
     "--limit-request-line", "4094", "--limit-request-fields", "100", "--limit-request-field_size", "8190"]
