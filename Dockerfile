FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY peakos ./peakos
COPY surveys ./surveys
COPY reviews ./reviews
COPY insights ./insights
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_ENV=development python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "peakos.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
