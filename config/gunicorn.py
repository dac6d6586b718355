"""Gunicorn's settings for the web service: `gunicorn config.wsgi -c python:config.gunicorn`.

docker-compose's `web` runs it and bench/quiz_burst.py measures it (with 2 workers, as the quiz
issue counts them). Environment: WEB_CONCURRENCY (workers, default: the machine's cores, at least
2), GUNICORN_THREADS (threads per worker, default 2), GUNICORN_BIND (default 0.0.0.0:8000),
GUNICORN_ACCESS_LOG (default -, standard output; empty for none).

Threaded workers (gthread): while a class takes a quiz, the busiest request is an answer save,
which spends about half of its time in the worker waiting on PostgreSQL (its statement and the
commit's flush to disk). With a second thread, a worker serves another request meanwhile.
Measured with bench/quiz_burst.py on 2 cores, 2 workers: answer saves about 700/s with sync
workers, about 800/s with 2 threads (more threads: no further gain). They also keep browsers'
connections alive, which sync workers cannot.
"""

from __future__ import annotations

import os

wsgi_app = "config.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "0")) or max(2, os.cpu_count() or 1)
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
backlog = 2048
timeout = 60
# "-": standard output; empty: no access log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
