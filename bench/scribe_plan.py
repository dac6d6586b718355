"""Benchmark of the fair scribe schedule (pure, no database).

    .venv/bin/python bench/scribe_plan.py

For classes of 12, 60 and 200 students over 26 lectures (seats sized to fit, ~20% of students
with 3 unavailable dates), prints one JSON line with the median time of
`scribing.rules.propose_scribe_schedule` and the spread (max - min seats used per lecture).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scribing.rules import SlotSeats, propose_scribe_schedule


def case(n_students: int, n_lectures: int = 26, seed: int = 1) -> dict:
    rng = random.Random(seed)
    cap = -(-n_students // n_lectures)
    slots = [
        SlotSeats(slot=i, date=date(2021, 1, 13) + timedelta(days=3 * i), free=cap)
        for i in range(n_lectures)
    ]
    dates = [s.date for s in slots]
    unavailable = {s: set(rng.sample(dates, 3)) for s in range(n_students) if rng.random() < 0.2}
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        plan = propose_scribe_schedule(range(n_students), slots, unavailable, seed=seed)
        times.append(time.perf_counter() - t0)
    loads = [len(plan.by_slot.get(s.slot, ())) for s in slots]
    return {
        "students": n_students,
        "lectures": n_lectures,
        "placed": len(plan.assignments),
        "median_ms": round(statistics.median(times) * 1000, 2),
        "spread": max(loads) - min(loads),
    }


if __name__ == "__main__":
    print(json.dumps({"bench": "scribe_plan", "cases": [case(n) for n in (12, 60, 200)]}))
