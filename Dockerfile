# dynadmin behind gunicorn, for production against real DynamoDB (or DynamoDB Local in compose).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=examples.project.settings \
    DJANGO_DEBUG=0 \
    DYNADMIN_VAR_DIR=/app/var \
    PORT=8000

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
COPY dynadmin/__init__.py dynadmin/__init__.py
RUN pip install -e '.[project]'

COPY manage.py ./
COPY dynadmin ./dynadmin
COPY examples ./examples
COPY templates ./templates
COPY static ./static

# Static files are collected at build time and served by whitenoise (hashed, compressed).
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 dynadmin \
    && mkdir -p /app/var && chown dynadmin /app/var

USER dynadmin
VOLUME ["/app/var"]
EXPOSE 8000

# DJANGO_SECRET_KEY must be provided at run time: the settings refuse to start without it.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn examples.project.wsgi -c python:examples.project.gunicorn_conf"]
