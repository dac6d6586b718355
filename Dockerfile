# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 coursekit && mkdir -p /app/var/media && chown -R coursekit /app/var
USER coursekit
EXPOSE 8000
# The web service as docker-compose runs it: workers, threads, bind and log from config/gunicorn.py.
CMD ["gunicorn", "-c", "python:config.gunicorn"]
