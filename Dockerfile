# One image for every process of docker-compose.yml: web (gunicorn), worker and beat (Celery).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext: compilemessages below; postgresql-client: pg_dump/pg_restore of manage.py backup
# and restore (Debian 12's 15, the server's major version).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Static files are collected into the image (served by whitenoise); translations compiled.
# These settings exist only for this build step; the real ones come from the environment.
RUN export SECRET_KEY=build-only-not-secret DEBUG=0 ALLOWED_HOSTS=localhost \
        DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    && python manage.py collectstatic --noinput \
    && python manage.py compilemessages --ignore=.venv

# Uploaded attachments live in /app/var/media (a volume; never served publicly).
RUN useradd --system --uid 1000 --home-dir /app app \
    && mkdir -p /app/var/media /app/var/backups \
    && chown -R app:app /app/var
USER app

# At run time DEBUG is off unless set, and the settings refuse to start without SECRET_KEY
# (docker-compose.yml sets DEBUG=0 and requires SECRET_KEY).
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "servicedesk.wsgi"]
