from __future__ import annotations

from datetime import datetime
from typing import Any


def add_demo_quizzes(course: Any, now: datetime) -> None:
    return None
