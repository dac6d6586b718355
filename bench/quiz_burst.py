"""Benchmark: a class opens the quiz within the same minute (gunicorn on PostgreSQL).

    .venv/bin/python bench/quiz_burst.py        (or `make bench`)
    QUIZ_BENCH_STUDENTS=300 QUIZ_BENCH_WINDOW=60 QUIZ_BENCH_SATURATE_SECONDS=30 (defaults)

What runs: gunicorn with the web service's settings (config/gunicorn.py: gthread workers with 4
threads unless GUNICORN_WORKER_CLASS says otherwise), 2 workers as the issue counts them
(QUIZ_BENCH_WORKERS; QUIZ_BENCH_WORKER_THREADS sets GUNICORN_THREADS), no access log, serving
config.wsgi with DEBUG off, the real password hasher (PBKDF2), DJANGO_SECRET_KEY set, plain HTTP
on loopback (DJANGO_SECURE_SSL_REDIRECT=false, DJANGO_SECURE_COOKIES=false), a database of its own
(BENCH_QUIZ_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ck_bench_quiz, recreated),
sessions as docker-compose deploys them (.env.example): DJANGO_SESSION_ENGINE=cached_db with
CACHE_URL on Redis (QUIZ_BENCH_SESSION_ENGINE, QUIZ_BENCH_CACHE_URL, default
rediscache://127.0.0.1:6379/13; QUIZ_BENCH_SESSION_ENGINE=django.contrib.sessions.backends.db
measures the database-only default of `make run`).
The only addition to the project's URLs is a bare view (/bench/bare/) used as the ceiling.

Phases, all through HTTP with a CSRF token and a session cookie, as a browser does:
1. login: each student GETs the login page and POSTs the form (PBKDF2 checks; reported apart,
   since in class students are logged in before the quiz opens);
2. burst: the 300 students arrive at random within 60 s; each opens the quiz (POST attempt),
   saves 5 answers one by one (PUT, 0.2-1 s apart) and submits; latencies per operation;
3. saturation: 16 client threads send requests back to back, to the bare view, then answer
   saves (other questions of the already submitted attempts are refused, so a fresh quiz is
   used), each for QUIZ_BENCH_SATURATE_SECONDS in all, alternated in QUIZ_BENCH_ROUNDS rounds
   (default 10) so that the load of others on this shared machine weighs on both -> requests
   per second and ratio (one round's ratio moves by +-0.1 here: the rounds are many for that);
4. check in the database: every answer sent is stored with the last value sent (lost_answers),
   no (attempt, question) or (quiz, student) twice (duplicate_answers).
Prints one JSON line.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

DB_URL = os.environ.get(
    "BENCH_QUIZ_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ck_bench_quiz"
)
STUDENTS = int(os.environ.get("QUIZ_BENCH_STUDENTS", "300"))
WINDOW = float(os.environ.get("QUIZ_BENCH_WINDOW", "60"))
SATURATE_SECONDS = float(os.environ.get("QUIZ_BENCH_SATURATE_SECONDS", "30"))
SATURATE_THREADS = int(os.environ.get("QUIZ_BENCH_THREADS", "16"))
ROUNDS = max(1, int(os.environ.get("QUIZ_BENCH_ROUNDS", "10")))
WORKERS = int(os.environ.get("QUIZ_BENCH_WORKERS", "2"))
# Threads per worker (gthread); 0 (default) = config/gunicorn.py's, what the web service runs.
WORKER_THREADS = int(os.environ.get("QUIZ_BENCH_WORKER_THREADS", "0"))
PASSWORD = "bench-password-123"  # noqa: S105 - throwaway accounts in a throwaway database

ENV = {
    "DATABASE_URL": DB_URL,
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "q" * 40,
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "DJANGO_SECURE_HSTS_SECONDS": "0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SETTINGS_MODULE": "_quiz_burst_settings",
    "COURSEKIT_VAR_DIR": str(Path(tempfile.gettempdir()) / "ck_bench_quiz_var"),
    "DJANGO_LOG_LEVEL": "WARNING",
    "CELERY_TASK_ALWAYS_EAGER": "0",
    "DJANGO_SESSION_ENGINE": os.environ.get(
        "QUIZ_BENCH_SESSION_ENGINE", "django.contrib.sessions.backends.cached_db"
    ),
    "CACHE_URL": os.environ.get("QUIZ_BENCH_CACHE_URL", "rediscache://127.0.0.1:6379/13"),
}
os.environ.update(ENV)

SYLLABUS = """
course:
  code: BENCHQ
  title: Quiz burst benchmark
  term: Winter 2021
  seat_capacity: 1000
calendar:
  term_start: 2021-01-11
  term_end: 2021-04-16
  meetings:
    - {day: wednesday, start: "09:30", end: "11:10"}
grading:
  components:
    - {key: quizzes, label: Daily quizzes, weight: 100, source: quizzes}
"""


# --- setup (in this process, through the ORM) -------------------------------------------------


def setup() -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from course.models import Enrollment
    from course.syllabus import load_syllabus_text
    from quizzes.models import Choice, Question, Quiz

    call_command("migrate", verbosity=0, interactive=False)
    manifest = Path(ENV["COURSEKIT_VAR_DIR"]) / "static" / "staticfiles.json"
    if not manifest.exists():
        call_command("collectstatic", verbosity=0, interactive=False)
    course = load_syllabus_text(SYLLABUS).course
    User = get_user_model()
    hashed = make_password(PASSWORD)  # the real hasher (PBKDF2); one hash shared to save setup
    users = User.objects.bulk_create(
        User(username=f"s{i:04d}", password=hashed, first_name="S", last_name=f"{i:04d}")
        for i in range(STUDENTS)
    )
    now = timezone.now()
    Enrollment.objects.bulk_create(
        Enrollment(course=course, user=u, role=Enrollment.Role.STUDENT, requested_at=now)
        for u in users
    )
    session = course.sessions.order_by("starts_at").first()
    quizzes = []
    for title in ("Burst quiz", "Saturation quiz"):
        quiz = Quiz.objects.create(
            course=course,
            session=session,
            title=title,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(minutes=30),
            duration_seconds=30 * 60,
            grace_seconds=5,
        )
        kinds = ["single", "multiple", "numeric", "single", "text"]
        questions = []
        for order, kind in enumerate(kinds):
            q = Question.objects.create(
                quiz=quiz,
                order=order,
                kind=kind,
                prompt=f"Question {order} about $x^{order}$",
                numeric_answer=4 if kind == "numeric" else None,
            )
            choices = []
            if kind in ("single", "multiple"):
                for c in range(4):
                    choices.append(
                        Choice.objects.create(
                            question=q,
                            order=c,
                            text=f"choice {c}",
                            is_correct=c in (0, 1) if kind == "multiple" else c == 0,
                        ).pk
                    )
            questions.append({"id": q.pk, "kind": kind, "choices": choices})
        quizzes.append({"id": quiz.pk, "questions": questions})
    from django.db import connections

    connections.close_all()
    return {"code": course.code, "quizzes": quizzes, "usernames": [u.username for u in users]}


# --- the HTTP client --------------------------------------------------------------------------


class Client:
    """One browser: its cookies, a fresh connection per request (the worst case for the server)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = {"Host": "127.0.0.1"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if headers:
            h.update(headers)
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            for key, value in resp.getheaders():
                if key.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return resp.status, data
        finally:
            conn.close()

    def json(self, method: str, path: str, payload: Any = None) -> tuple[int, bytes]:
        body = json.dumps(payload).encode() if payload is not None else b""
        return self.request(
            method,
            path,
            body,
            {
                "Content-Type": "application/json",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Referer": f"http://127.0.0.1:{self.port}/",
            },
        )

    def login(self, username: str) -> int:
        status, page = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        token = match.group(1).decode() if match else ""
        form = urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/accounts/login/",
            },
        )
        return status


def wait_for_server(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                "gunicorn exited: " + (proc.stderr.read().decode()[-2000:] if proc.stderr else "")
            )
        try:
            status, _ = Client(port).request("GET", "/bench/bare/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return round(values[k], 2)


def answer_value(question: dict[str, Any], rng: random.Random) -> Any:
    kind = question["kind"]
    if kind == "single":
        return rng.choice(question["choices"])
    if kind == "multiple":
        return sorted(rng.sample(question["choices"], 2))
    if kind == "numeric":
        return str(rng.randint(1, 9))
    return "answer " + str(rng.randint(1, 10**6))


# --- phases -------------------------------------------------------------------------------------


def run_burst(port: int, data: dict[str, Any], clients: dict[str, Client]) -> dict[str, Any]:
    code = data["code"]
    quiz = data["quizzes"][0]
    base = f"/api/courses/{code}/quizzes/{quiz['id']}/"
    lat: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    sent: dict[tuple[str, int], Any] = {}
    lock = threading.Lock()
    start = time.monotonic() + 0.5

    def student(username: str, seed: int) -> None:
        rng = random.Random(seed)
        c = clients[username]
        time.sleep(max(0.0, start + rng.uniform(0, WINDOW) - time.monotonic()))

        def timed(kind: str, method: str, path: str, payload: Any = None) -> bool:
            t0 = time.perf_counter()
            try:
                status, body = c.json(method, path, payload)
            except OSError as exc:
                with lock:
                    errors.append(f"{kind}: {exc}")
                return False
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                lat[kind].append(ms)
                if status >= 400:
                    errors.append(f"{kind}: {status} {body[:200]!r}")
            return status < 400

        if not timed("open", "POST", base + "attempt/", {}):
            return
        for q in quiz["questions"]:
            value = answer_value(q, rng)
            if timed("answer_save", "PUT", f"{base}answers/{q['id']}/", {"value": value}):
                with lock:
                    sent[(username, q["id"])] = value
            time.sleep(rng.uniform(0.2, 1.0))
        timed("submit", "POST", base + "submit/", {})

    threads = [
        threading.Thread(target=student, args=(u, i)) for i, u in enumerate(data["usernames"])
    ]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"lat": lat, "errors": errors, "sent": sent, "seconds": time.monotonic() - t0}


def saturate(
    port: int, make_request: Any, seconds: float, threads: int
) -> tuple[float, int, list[float]]:
    stop = time.monotonic() + seconds
    counts = [0] * threads
    errors = [0] * threads
    lat: list[list[float]] = [[] for _ in range(threads)]

    def loop(i: int) -> None:
        n = 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                ok = make_request(i, n)
            except OSError:
                ok = False
            lat[i].append((time.perf_counter() - t0) * 1000)
            if ok:
                counts[i] += 1
            else:
                errors[i] += 1
            n += 1

    t0 = time.monotonic()
    ts = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - t0
    return sum(counts) / elapsed, sum(errors), [x for xs in lat for x in xs]


def gunicorn_workers() -> tuple[str, int]:
    """The worker type and threads gunicorn runs: sync with more than one thread is gthread."""
    from config import gunicorn

    threads = WORKER_THREADS or int(gunicorn.threads)
    kind = str(gunicorn.worker_class)
    return ("gthread" if kind == "sync" and threads > 1 else kind), threads


def main() -> int:
    load_before = round(os.getloadavg()[0], 2)
    from _database import recreate_database  # bench/, the script's own folder

    recreate_database(DB_URL)
    data = setup()
    port = free_port()
    env = {**os.environ, **ENV, "PYTHONPATH": f"{HERE}{os.pathsep}{ROOT}"}
    # The web service's own gunicorn settings (config/gunicorn.py), with the 2 workers.
    env.update(
        GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_ACCESS_LOG="", WEB_CONCURRENCY=str(WORKERS)
    )
    if WORKER_THREADS:
        env["GUNICORN_THREADS"] = str(WORKER_THREADS)
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "python:config.gunicorn",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_server(port, proc)
        clients = {u: Client(port) for u in data["usernames"]}

        # 1. login (PBKDF2 is CPU-bound: 4 at a time)
        login_lat: list[float] = []
        login_errors: list[str] = []
        names = list(data["usernames"])
        lock = threading.Lock()

        def login_worker() -> None:
            while True:
                with lock:
                    if not names:
                        return
                    u = names.pop()
                t0 = time.perf_counter()
                status = clients[u].login(u)
                with lock:
                    login_lat.append((time.perf_counter() - t0) * 1000)
                    if status != 302:
                        login_errors.append(f"login {u}: {status}")

        t0 = time.monotonic()
        ts = [threading.Thread(target=login_worker) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        login_seconds = time.monotonic() - t0

        # 2. the burst
        burst = run_burst(port, data, clients)

        # 3. saturation: the bare view, then answer saves on the second quiz
        bare_client = Client(port)

        def bare(i: int, n: int) -> bool:
            return bare_client.request("GET", "/bench/bare/")[0] == 200

        quiz2 = data["quizzes"][1]
        base2 = f"/api/courses/{data['code']}/quizzes/{quiz2['id']}/"
        sat_users = data["usernames"][:SATURATE_THREADS]
        for u in sat_users:
            clients[u].json("POST", base2 + "attempt/", {})
        rng = random.Random(7)
        numeric = next(q for q in quiz2["questions"] if q["kind"] == "numeric")

        def save(i: int, n: int) -> bool:
            q = quiz2["questions"][n % len(quiz2["questions"])]
            value = answer_value(q, rng) if q is not numeric else str(n % 10)
            status, _ = clients[sat_users[i]].json(
                "PUT", f"{base2}answers/{q['id']}/", {"value": value}
            )
            return status == 200

        # Rounds alternate the bare view and answer saves, so that a change of load on this
        # shared machine weighs on both sides of the ratio alike.
        slice_seconds = SATURATE_SECONDS / ROUNDS
        totals: dict[str, list[float]] = {"bare": [0.0, 0.0], "save": [0.0, 0.0]}
        per_round: dict[str, list[float]] = {"bare": [], "save": []}
        save_sat_lat: list[float] = []
        for _round in range(ROUNDS):
            for kind, fn in (("bare", bare), ("save", save)):
                rps, err, lat_ms = saturate(port, fn, slice_seconds, SATURATE_THREADS)
                per_round[kind].append(rps)
                totals[kind][0] += rps * slice_seconds
                totals[kind][1] += err
                if kind == "save":
                    save_sat_lat += lat_ms
        bare_rps = totals["bare"][0] / SATURATE_SECONDS
        save_rps = totals["save"][0] / SATURATE_SECONDS
        bare_err, save_err = int(totals["bare"][1]), int(totals["save"][1])
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()

    # 4. check in the database
    from django.db.models import Count

    from quizzes.models import Answer, Attempt

    quiz_id = data["quizzes"][0]["id"]
    stored = {
        (a.attempt.student.username, a.question_id): a.value
        for a in Answer.objects.filter(attempt__quiz_id=quiz_id).select_related("attempt__student")
    }
    lost = sum(1 for key, value in burst["sent"].items() if stored.get(key) != value)
    dup_answers = (
        Answer.objects.values("attempt_id", "question_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    dup_attempts = (
        Attempt.objects.values("quiz_id", "student_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    unsubmitted = Attempt.objects.filter(quiz_id=quiz_id, submitted_at__isnull=True).count()
    lat = burst["lat"]
    requests = sum(len(v) for v in lat.values())
    result = {
        "bench": "quiz_burst",
        "database": "postgresql",
        "students": STUDENTS,
        "window_seconds": WINDOW,
        "gunicorn_workers": WORKERS,
        "gunicorn_worker_class": gunicorn_workers()[0],
        "gunicorn_threads_per_worker": gunicorn_workers()[1],
        "session_engine": ENV["DJANGO_SESSION_ENGINE"].rsplit(".", 1)[-1],
        "requests": requests,
        "errors": len(burst["errors"]) + len(login_errors),
        "lost_answers": lost,
        "duplicate_answers": dup_answers + dup_attempts,
        "unsubmitted_attempts": unsubmitted,
        "answer_save_p50_ms": pct(lat["answer_save"], 50),
        "answer_save_p95_ms": pct(lat["answer_save"], 95),
        "answer_save_p99_ms": pct(lat["answer_save"], 99),
        "open_p50_ms": pct(lat["open"], 50),
        "open_p95_ms": pct(lat["open"], 95),
        "open_p99_ms": pct(lat["open"], 99),
        "submit_p50_ms": pct(lat["submit"], 50),
        "submit_p95_ms": pct(lat["submit"], 95),
        "submit_p99_ms": pct(lat["submit"], 99),
        "burst_seconds": round(burst["seconds"], 1),
        "answer_save_rps": round(save_rps, 1),
        "bare_view_rps": round(bare_rps, 1),
        "ratio_to_bare": round(save_rps / bare_rps, 3) if bare_rps else None,
        # Each round's ratio: how much the load of others on this machine moved it.
        "ratio_per_round": [
            round(s / b, 3) if b else None
            for b, s in zip(per_round["bare"], per_round["save"], strict=True)
        ],
        "saturation_threads": SATURATE_THREADS,
        "saturation_rounds": ROUNDS,
        "saturation_errors": bare_err + save_err,
        "answer_save_saturated_p50_ms": pct(save_sat_lat, 50),
        "login_p50_ms": pct(login_lat, 50),
        "login_seconds": round(login_seconds, 1),
        "first_errors": (login_errors + burst["errors"])[:3],
        "load_average_1m_at_start": load_before,
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result))
    return 0 if result["errors"] == 0 and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
