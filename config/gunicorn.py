"""Gunicorn's settings for the web service: `gunicorn -c python:config.gunicorn`.

docker-compose's `web` runs it and bench/quiz_burst.py measures it (with 2 workers, as the quiz
issue counts them). Environment:

- WEB_CONCURRENCY: workers (default 2 x cores + 1, gunicorn's advice, at most 8: each keeps a
  PostgreSQL connection);
- GUNICORN_WORKER_CLASS: default sync, one request at a time per worker, behind the buffering
  proxy docker-compose asks for; gthread for threads (GUNICORN_THREADS, default 1);
- GUNICORN_BIND (default 0.0.0.0:8000), GUNICORN_ACCESS_LOG (default -, standard output; empty
  for none).

Measured with bench/quiz_burst.py on this 2-core machine, 2 workers: sync and gthread with 2
threads give the same answer-save throughput within the machine's noise (ratio to the bare
view 0.57-0.63 sync, 0.58-0.61 gthread), so the default stays the simpler sync worker.
"""

from __future__ import annotations

import os

wsgi_app = "config.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
workers = int(os.environ.get("WEB_CONCURRENCY", "0")) or min(2 * (os.cpu_count() or 1) + 1, 8)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
backlog = 2048
timeout = 60
# "-": standard output; empty: no access log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
