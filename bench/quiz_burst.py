"""Benchmark: classes of 300, 600 and 1,000 students take a quiz in the same minute.

    .venv/bin/python bench/quiz_burst.py        (or `make bench`)

What runs, as docker-compose deploys the web service: gunicorn with config/gunicorn.py (gthread
workers, 4 threads each unless GUNICORN_WORKER_CLASS says otherwise), 2 workers as the quiz
issue counts them (QUIZ_BENCH_WORKERS; QUIZ_BENCH_WORKER_THREADS sets GUNICORN_THREADS), no
access log, config.wsgi with DEBUG off, the real password hasher (PBKDF2), PostgreSQL
(BENCH_QUIZ_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ck_bench_quiz, recreated),
sessions and cache on Redis as .env.example has them (DJANGO_SESSION_ENGINE=cached_db,
CACHE_URL=QUIZ_BENCH_CACHE_URL, default rediscache://127.0.0.1:6379/13), plain HTTP on loopback.
The only addition to the project's URLs is a bare view (/bench/bare/), the ceiling.

Every request goes through HTTP with the session cookie and the CSRF token, as the quiz page
sends them. Students are signed in before the quiz, as in class: their sessions are made in
setup (as django.contrib.auth.login makes them); QUIZ_BENCH_LOGINS of them (default 20) sign in
through the login form instead, which times the real hasher (`login_p50_ms`).

Phases:
1. the ladder (QUIZ_BENCH_LADDER, default 300,600,1000): for each size a quiz of its own; the
   class arrives at random within QUIZ_BENCH_WINDOW seconds (default 60); each student opens
   the quiz (POST attempt/), loads the quiz page (GET take/), saves 5 answers one by one (PUT,
   0.2-1 s apart) and submits; latencies per operation;
2. the synchronised start: QUIZ_BENCH_SYNC_STUDENTS (default 300) click Start within
   QUIZ_BENCH_SYNC_WINDOW seconds (default 5), then load the page;
3. saturation: 16 client threads send requests back to back to the bare view, then answer
   saves, QUIZ_BENCH_SATURATE_SECONDS in all (default 20), alternated in QUIZ_BENCH_ROUNDS
   rounds (default 4) so that the load of others on this shared machine weighs on both;
4. checks in the database, per size: every answer sent is stored with the last value sent
   (`lost_answers`), no (attempt, question) or (quiz, student) twice (`duplicate_answers`);
5. the SQL statements of one open, page, save and submit, counted in this process through the
   same settings (Django's count, with the BEGIN and COMMIT of a transaction).

`capacity_students` is the largest size whose every p95 (open, page, save, submit) is under
100 ms. `save_code_paths` counts the saves by the way they were answered, read from each
response: AnswerAPI behind the whole middleware chain says so by the headers the chain adds
(Vary: Cookie from the session middleware, X-Frame-Options, Content-Language); there must be
only one. Prints one JSON line.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import _database as bench  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

DB_URL = os.environ.get(
    "BENCH_QUIZ_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ck_bench_quiz"
)
LADDER = [int(n) for n in os.environ.get("QUIZ_BENCH_LADDER", "300,600,1000").split(",")]
WINDOW = float(os.environ.get("QUIZ_BENCH_WINDOW", "60"))
SYNC_STUDENTS = int(os.environ.get("QUIZ_BENCH_SYNC_STUDENTS", "300"))
SYNC_WINDOW = float(os.environ.get("QUIZ_BENCH_SYNC_WINDOW", "5"))
LOGINS = int(os.environ.get("QUIZ_BENCH_LOGINS", "20"))
SATURATE_SECONDS = float(os.environ.get("QUIZ_BENCH_SATURATE_SECONDS", "20"))
SATURATE_THREADS = int(os.environ.get("QUIZ_BENCH_THREADS", "16"))
ROUNDS = max(1, int(os.environ.get("QUIZ_BENCH_ROUNDS", "4")))
WORKERS = int(os.environ.get("QUIZ_BENCH_WORKERS", "2"))
# Threads per worker (gthread); 0 (default) = config/gunicorn.py's, what the web service runs.
WORKER_THREADS = int(os.environ.get("QUIZ_BENCH_WORKER_THREADS", "0"))
STUDENTS = max([*LADDER, SYNC_STUDENTS, SATURATE_THREADS])
CAPACITY_MS = 100.0
OPERATIONS = ("open", "page", "save", "submit")
PASSWORD = "bench-password-123"  # throwaway accounts in a throwaway database

# Beyond what every benchmark runs with (bench/_database.py): plain HTTP on loopback, and
# sessions and cache on Redis. gunicorn inherits this process's environment.
ENV = {
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "DJANGO_SECURE_HSTS_SECONDS": "0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SESSION_ENGINE": os.environ.get(
        "QUIZ_BENCH_SESSION_ENGINE", "django.contrib.sessions.backends.cached_db"
    ),
    "CACHE_URL": os.environ.get("QUIZ_BENCH_CACHE_URL", "rediscache://127.0.0.1:6379/13"),
}
bench.configure(
    database_url=DB_URL,
    var_dir="ck_bench_quiz_var",
    settings_module="_quiz_burst_settings",
    **ENV,
)

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


def _make_quiz(course: Any, session: Any, title: str, now: Any) -> dict[str, Any]:
    from quizzes.models import Choice, Question, Quiz

    quiz = Quiz.objects.create(
        course=course,
        session=session,
        title=title,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=2),
        duration_seconds=60 * 60,
        grace_seconds=5,
    )
    questions = []
    for order, kind in enumerate(["single", "multiple", "numeric", "single", "text"]):
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
                correct = c in (0, 1) if kind == "multiple" else c == 0
                choice = Choice.objects.create(
                    question=q, order=c, text=f"choice {c}", is_correct=correct
                )
                choices.append(choice.pk)
        questions.append({"id": q.pk, "kind": kind, "choices": choices})
    return {"id": quiz.pk, "questions": questions}


def setup() -> dict[str, Any]:
    bench.setup_django()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django.utils.module_loading import import_string

    from course.models import Enrolment
    from course.syllabus.services import load_syllabus_text

    course = load_syllabus_text(SYLLABUS).course
    User = get_user_model()
    hashed = make_password(PASSWORD)  # the real hasher (PBKDF2); one hash shared to save setup
    users = User.objects.bulk_create(
        User(username=f"s{i:04d}", password=hashed, first_name="S", last_name=f"{i:04d}")
        for i in range(STUDENTS)
    )
    now = timezone.now()
    Enrolment.objects.bulk_create(
        Enrolment(course=course, user=u, role=Enrolment.Role.STUDENT, requested_at=now)
        for u in users
    )
    session = course.sessions.order_by("starts_at").first()
    ladder = {n: _make_quiz(course, session, f"Class of {n}", now) for n in LADDER}
    sync = _make_quiz(course, session, "Synchronised start", now)
    saturation = _make_quiz(course, session, "Saturation", now)
    counting = _make_quiz(course, session, "Statements", now)
    # Signed in before the quiz, as django.contrib.auth.login signs in (session store + cache).
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    sessions = {}
    for user in users[LOGINS:]:
        s = store()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        sessions[user.username] = s.session_key
    from django.db import connections

    connections.close_all()
    return {
        "code": course.code,
        "ladder": ladder,
        "sync": sync,
        "saturation": saturation,
        "counting": counting,
        "usernames": [u.username for u in users],
        "sessions": sessions,
    }


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
    ) -> tuple[int, bytes, dict[str, str]]:
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
            got: dict[str, str] = {}
            for key, value in resp.getheaders():
                if key.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
                else:
                    got[key.lower()] = value
            return resp.status, data, got
        finally:
            conn.close()

    def json(
        self, method: str, path: str, payload: Any = None
    ) -> tuple[int, bytes, dict[str, str]]:
        body = json.dumps(payload).encode() if payload is not None else b""
        return self.request(
            method,
            path,
            body,
            {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Referer": f"http://127.0.0.1:{self.port}/",
            },
        )

    def signed_in(self, session_key: str) -> Client:
        """The cookies a signed-in browser holds: its session and a CSRF token (any 32
        letters and digits make a valid one, as Django's own get_token makes them)."""
        self.cookies["sessionid"] = session_key
        self.cookies["csrftoken"] = secrets.token_hex(16)
        return self

    def login(self, username: str) -> int:
        status, page, _ = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        token = match.group(1).decode() if match else ""
        form = urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        status, _, _ = self.request(
            "POST",
            "/accounts/login/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/accounts/login/",
            },
        )
        return status


def save_code_path(headers: dict[str, str]) -> str:
    """How a save was answered, from what the middleware chain adds to every response."""
    vary = {v.strip().lower() for v in headers.get("vary", "").split(",")}
    whole_chain = (
        "cookie" in vary
        and "accept-language" in vary
        and "x-frame-options" in headers
        and "content-language" in headers
    )
    return "AnswerAPI behind the whole middleware chain" if whole_chain else "other"


def wait_for_server(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                "gunicorn exited: " + (proc.stderr.read().decode()[-2000:] if proc.stderr else "")
            )
        try:
            status, _, _ = Client(port).request("GET", "/bench/bare/")
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


def percentiles(values: list[float]) -> dict[str, float | None]:
    return {"p50": pct(values, 50), "p95": pct(values, 95), "p99": pct(values, 99)}


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


def run_class(
    clients: list[Client], code: str, quiz: dict[str, Any], window: float, *, full: bool
) -> dict[str, Any]:
    """Each student arrives at random within `window` seconds, opens the quiz, loads its page
    and, when `full`, saves 5 answers and submits."""
    api = f"/api/courses/{code}/quizzes/{quiz['id']}/"
    page = f"/c/{code}/quizzes/{quiz['id']}/take/"
    lat: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    sent: dict[tuple[int, int], Any] = {}
    paths: Counter[str] = Counter()
    lock = threading.Lock()
    start = time.monotonic() + 0.5

    def student(i: int) -> None:
        rng = random.Random(i)
        c = clients[i]
        time.sleep(max(0.0, start + rng.uniform(0, window) - time.monotonic()))

        def timed(kind: str, method: str, path: str, payload: Any = None) -> Any:
            t0 = time.perf_counter()
            try:
                if method == "GET":
                    status, body, headers = c.request("GET", path)
                else:
                    status, body, headers = c.json(method, path, payload)
            except OSError as exc:
                with lock:
                    errors.append(f"{kind}: {exc}")
                return None
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                lat[kind].append(ms)
                if status >= 400:
                    errors.append(f"{kind}: {status} {body[:200]!r}")
            return headers if status < 400 else None

        if timed("open", "POST", api + "attempt/", {}) is None:
            return
        timed("page", "GET", page)
        if not full:
            return
        for q in quiz["questions"]:
            value = answer_value(q, rng)
            headers = timed("save", "PUT", f"{api}answers/{q['id']}/", {"value": value})
            if headers is not None:
                with lock:
                    sent[(i, q["id"])] = value
                    paths[save_code_path(headers)] += 1
            time.sleep(rng.uniform(0.2, 1.0))
        timed("submit", "POST", api + "submit/", {})

    threads = [threading.Thread(target=student, args=(i,)) for i in range(len(clients))]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "lat": lat,
        "errors": errors,
        "sent": sent,
        "paths": paths,
        "seconds": time.monotonic() - t0,
    }


def check_database(quiz_id: int, usernames: list[str], sent: dict) -> dict[str, int]:
    from django.db.models import Count

    from quizzes.models import Answer, Attempt

    stored = {
        (a.attempt.student.username, a.question_id): a.value
        for a in Answer.objects.filter(attempt__quiz_id=quiz_id).select_related("attempt__student")
    }
    lost = sum(1 for (i, qid), value in sent.items() if stored.get((usernames[i], qid)) != value)
    dup_answers = (
        Answer.objects.filter(attempt__quiz_id=quiz_id)
        .values("attempt_id", "question_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    dup_attempts = (
        Attempt.objects.filter(quiz_id=quiz_id)
        .values("student_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    unsubmitted = Attempt.objects.filter(quiz_id=quiz_id, submitted_at__isnull=True).count()
    return {
        "lost_answers": lost,
        "duplicate_answers": dup_answers + dup_attempts,
        "unsubmitted_attempts": unsubmitted,
    }


def count_statements(data: dict[str, Any]) -> dict[str, int]:
    """The SQL statements of one open, page, save and submit, through Django's test client in
    this process, with the bench's settings (sessions from Redis, as the server has them)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    code, quiz = data["code"], data["counting"]
    user = get_user_model().objects.get(username=data["usernames"][-1])
    c = DjangoClient(HTTP_HOST="127.0.0.1")
    c.force_login(user)
    c.get(f"/c/{code}/quizzes/")  # the session is read into the cache once, as after login
    api = f"/api/courses/{code}/quizzes/{quiz['id']}/"
    q = next(q for q in quiz["questions"] if q["kind"] == "numeric")
    steps = [
        ("open", lambda: c.post(api + "attempt/", {}, content_type="application/json")),
        ("page", lambda: c.get(f"/c/{code}/quizzes/{quiz['id']}/take/")),
        (
            "save",
            lambda: c.put(f"{api}answers/{q['id']}/", {"value": "4"}, "application/json"),
        ),
        ("submit", lambda: c.post(api + "submit/", {}, content_type="application/json")),
    ]
    counts = {}
    for name, step in steps:
        with CaptureQueriesContext(connection) as ctx:
            status = step().status_code
        assert status < 400, (name, status)
        counts[name] = len(ctx.captured_queries)
    connection.close()
    return counts


def saturate(make_request: Any, seconds: float, threads: int) -> tuple[float, int, list[float]]:
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


def run_saturation(port: int, data: dict[str, Any], clients: list[Client]) -> dict[str, Any]:
    bare_client = Client(port)

    def bare(i: int, n: int) -> bool:
        return bare_client.request("GET", "/bench/bare/")[0] == 200

    quiz = data["saturation"]
    api = f"/api/courses/{data['code']}/quizzes/{quiz['id']}/"
    users = clients[:SATURATE_THREADS]
    for c in users:
        c.json("POST", api + "attempt/", {})
    rng = random.Random(7)

    def save(i: int, n: int) -> bool:
        q = quiz["questions"][n % len(quiz["questions"])]
        value = answer_value(q, rng)
        return users[i].json("PUT", f"{api}answers/{q['id']}/", {"value": value})[0] == 200

    slice_seconds = SATURATE_SECONDS / ROUNDS
    done = {"bare": 0.0, "save": 0.0}
    errors = 0
    ratios = []
    for _round in range(ROUNDS):
        rps = {}
        for kind, fn in (("bare", bare), ("save", save)):
            rps[kind], err, _lat = saturate(fn, slice_seconds, SATURATE_THREADS)
            done[kind] += rps[kind] * slice_seconds
            errors += err
        ratios.append(round(rps["save"] / rps["bare"], 3) if rps["bare"] else None)
    bare_rps = done["bare"] / SATURATE_SECONDS
    save_rps = done["save"] / SATURATE_SECONDS
    return {
        "answer_save_rps": round(save_rps, 1),
        "bare_view_rps": round(bare_rps, 1),
        "ratio_to_bare": round(save_rps / bare_rps, 3) if bare_rps else None,
        "ratio_per_round": ratios,
        "saturation_threads": SATURATE_THREADS,
        "saturation_errors": errors,
    }


def main() -> int:
    load_before = [round(x, 2) for x in os.getloadavg()]
    t_start = time.monotonic()
    bench.recreate_database(DB_URL)
    data = setup()
    statements = count_statements(data)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{ROOT}"}
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
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    usernames = data["usernames"]
    sizes: dict[str, Any] = {}
    try:
        wait_for_server(port, proc)
        clients = [Client(port) for _ in usernames]
        # Sign-ins through the form (the real hasher), the others from setup.
        login_lat, login_errors = [], []
        for i, username in enumerate(usernames):
            if username in data["sessions"]:
                clients[i].signed_in(data["sessions"][username])
                continue
            t0 = time.perf_counter()
            if clients[i].login(username) != 302:
                login_errors.append(username)
            login_lat.append((time.perf_counter() - t0) * 1000)

        # 1. the ladder
        runs = {}
        for n in LADDER:
            runs[n] = run_class(clients[:n], data["code"], data["ladder"][n], WINDOW, full=True)
            time.sleep(2)  # the server settles between classes
        # 2. the synchronised start
        sync = run_class(
            clients[:SYNC_STUDENTS], data["code"], data["sync"], SYNC_WINDOW, full=False
        )
        # 3. saturation
        saturation = run_saturation(port, data, clients)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()

    # 4. checks in the database, per size
    paths: Counter[str] = Counter()
    for n, run in runs.items():
        lat = run["lat"]
        checks = check_database(data["ladder"][n]["id"], usernames, run["sent"])
        paths.update(run["paths"])
        sizes[str(n)] = {
            "errors": len(run["errors"]),
            **checks,
            **{op: percentiles(lat[op]) for op in OPERATIONS},
            "seconds": round(run["seconds"], 1),
            "first_errors": run["errors"][:3],
        }
    capacity = max(
        (
            n
            for n in LADDER
            if sizes[str(n)]["errors"] == 0
            and all((sizes[str(n)][op]["p95"] or 0) < CAPACITY_MS for op in OPERATIONS)
        ),
        default=0,
    )
    workers = gunicorn_workers()
    result = {
        "bench": "quiz_burst",
        "database": "postgresql",
        "session_engine": ENV["DJANGO_SESSION_ENGINE"].rsplit(".", 1)[-1],
        "gunicorn_workers": WORKERS,
        "gunicorn_worker_class": workers[0],
        "gunicorn_threads_per_worker": workers[1],
        "window_seconds": WINDOW,
        "sizes": sizes,
        "capacity_students": capacity,
        "synchronised_start": {
            "students": SYNC_STUDENTS,
            "window_seconds": SYNC_WINDOW,
            "errors": len(sync["errors"]),
            "open": percentiles(sync["lat"]["open"]),
            "page": percentiles(sync["lat"]["page"]),
            "first_errors": sync["errors"][:3],
        },
        **saturation,
        "sql_statements": statements,
        "save_code_paths": dict(paths),
        "login_p50_ms": pct(login_lat, 50),
        "login_errors": len(login_errors),
        "total_seconds": round(time.monotonic() - t_start, 1),
        "load_average_at_start": load_before,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))
    ok = (
        all(s["errors"] == 0 and s["lost_answers"] == 0 for s in sizes.values())
        and not sync["errors"]
        and len(paths) == 1
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
