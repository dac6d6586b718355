"""Gunicorn's settings for the web service: `gunicorn -c python:config.gunicorn`.

docker-compose's `web` runs it and bench/quiz_burst.py measures it. Environment:

- WEB_CONCURRENCY: workers (default 2 x cores + 1, gunicorn's advice, at most 8);
- GUNICORN_WORKER_CLASS: default gthread, GUNICORN_THREADS threads per worker (default 4); sync
  for one request at a time per worker (threads then default to 1). Each thread keeps its own
  PostgreSQL connection: 8 workers x 4 threads is 32 connections, well under PostgreSQL's
  default max_connections (100);
- GUNICORN_BIND (default 0.0.0.0:8000), GUNICORN_ACCESS_LOG (default -, standard output; empty
  for none).

Why threads: a request spends much of its time waiting on PostgreSQL (an answer save's commit
waits for the WAL flush); a sync worker sits idle meanwhile, and threads fill that wait.
bench/quiz_burst.py measures what each setting gives.
"""

from __future__ import annotations

import os

wsgi_app = "config.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WEB_CONCURRENCY", "0")) or min(2 * (os.cpu_count() or 1) + 1, 8)
# gunicorn turns sync with threads into gthread: sync alone means one request per worker.
threads = int(os.environ.get("GUNICORN_THREADS", "4" if worker_class == "gthread" else "1"))
backlog = 2048
timeout = 60
# "-": standard output; empty: no access log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
