FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 WEB_CONCURRENCY=3
WORKDIR /app
# gettext's msgfmt compiles the message catalogues (locale/*.po → .mo) below.
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY peakos ./peakos
COPY surveys ./surveys
COPY reviews ./reviews
COPY insights ./insights
COPY accounts ./accounts
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_ENV=development python manage.py collectstatic --noinput \
    && DJANGO_ENV=development python manage.py compilemessages --ignore=.venv
EXPOSE 8000
CMD ["gunicorn", "-c", "python:peakos.gunicorn_conf", "peakos.wsgi:application"]
