"""Benchmark of the talk-slot rush on PostgreSQL: many approved pairs pick slots at once.

    .venv/bin/python bench/projects_slot_rush.py        (or `make bench`)

Builds a course with 40 approved pairs and 16 presentation slots (4 sessions of 100 minutes,
20-minute talks, 5-minute change-overs). 20 threads, each playing two pairs, all start at the
same instant and try the slots in the same order (the worst case: everyone wants the first
one), moving to the next slot after "taken". Prints one JSON line: the wall time, the pick
latencies (median, p95), the refusals, and the invariants checked afterwards (every slot held
by at most one pair, every pair holds at most one slot, exactly min(pairs, slots) booked).

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ck_bench_projects);
DEBUG off.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import _database as bench  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ck_bench_projects"
)
bench.configure(database_url=DB_URL, var_dir="ck_bench_projects_var")

PAIRS = 40
THREADS = 20

SYLLABUS = """
course: {code: BENCHP, title: Slot rush, term: Winter 2021, seat_capacity: 500}
calendar:
  term_start: 2021-01-11
  term_end: 2021-04-16
  meetings: [{day: wednesday, start: "09:30", end: "11:10"}]
sessions:
  - {date: 2021-03-17, kind: presentations}
  - {date: 2021-03-24, kind: presentations}
  - {date: 2021-03-31, kind: presentations}
  - {date: 2021-04-07, kind: presentations}
grading:
  components:
    - {key: presentations, label: Paper presentations, weight: 100, source: presentations}
presentations: {talk_minutes: 20, changeover_minutes: 5, first_allowed_week: 5}
"""


def main() -> dict:
    bench.ensure_database(DB_URL)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from course.models import Course, Enrolment
    from course.syllabus.services import load_syllabus_text
    from projects import services
    from projects.models import Group, GroupKind, TalkSlot

    call_command("migrate", verbosity=0, interactive=False)
    old = Course.objects.filter(code="BENCHP").first()
    if old is not None:
        TalkSlot.objects.filter(course=old).delete()
        Group.objects.filter(course=old).delete()
    course = load_syllabus_text(SYLLABUS).course
    User = get_user_model()
    now = datetime(2021, 2, 10, 12, 0, tzinfo=timezone.get_current_timezone())
    groups = []
    for i in range(PAIRS):
        pair = []
        for j in range(2):
            user, _ = User.objects.get_or_create(username=f"rush{i}-{j}")
            Enrolment.objects.update_or_create(
                course=course,
                user=user,
                defaults={"role": Enrolment.Role.STUDENT, "requested_at": now},
            )
            pair.append(user)
        group = services.group_create(course=course, kind=GroupKind.PRESENTATION, students=pair)
        p = services.paper_propose(
            group=group, user=pair[0], title=f"Paper {i}", url=f"https://arxiv.org/abs/{i}", now=now
        )
        services.paper_decide(proposal=p, approve=True, now=now)
        groups.append((group, pair[0]))
    slots = list(TalkSlot.objects.filter(course=course).order_by("starts_at"))
    latencies: list[float] = []
    refusals = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def play(mine: list) -> None:
        try:
            barrier.wait()
            for group, user in mine:
                for slot in slots:
                    t0 = time.perf_counter()
                    try:
                        services.talk_slot_pick(slot=slot, group=group, user=user, now=now)
                        ok = True
                    except ValidationError:
                        ok = False
                    with lock:
                        latencies.append(time.perf_counter() - t0)
                        refusals[0] += not ok
                    if ok:
                        break
        finally:
            connection.close()

    shares = [groups[i::THREADS] for i in range(THREADS)]
    threads = [threading.Thread(target=play, args=(s,)) for s in shares]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    wall = time.perf_counter() - t0
    held = list(
        TalkSlot.objects.filter(course=course, group__isnull=False).values_list(
            "group_id", flat=True
        )
    )
    latencies.sort()
    return {
        "bench": "projects_slot_rush",
        "pairs": PAIRS,
        "slots": len(slots),
        "threads": THREADS,
        "wall_s": round(wall, 3),
        "attempts": len(latencies),
        "refused_taken": refusals[0],
        "pick_median_ms": round(statistics.median(latencies) * 1000, 2),
        "pick_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
        "booked": len(held),
        "ok_one_slot_per_pair": len(held) == len(set(held)),
        "ok_booked_all_slots": len(held) == min(PAIRS, len(slots)),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
