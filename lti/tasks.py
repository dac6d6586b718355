"""LTI tasks: the nightly roster sync of every linked course, one retried task per course; the
coalesced post of a course's released grades, and (beat) the posts the broker did not take."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from course.queueing import queue_each_now

from .models import LinkedCourse
from .protocol import ServiceError


@shared_task(name="lti.roster_sync_all", time_limit=120, soft_time_limit=100)
def roster_sync_all() -> list[int]:
    """Nightly: queue each linked course's roster sync and a post of its released grades (which
    sends only what the LMS lacks: a post whose retries ran out goes again); also forget the
    old login nonces."""
    from . import services

    services.launch_nonces_prune(now=timezone.now())
    ids = list(
        LinkedCourse.objects.exclude(memberships_url="").values_list("pk", flat=True).order_by("pk")
    )
    # Not queued (broker down): tomorrow night's run queues them again.
    queue_each_now(roster_sync_course, [(link_id,) for link_id in ids])
    graded = LinkedCourse.objects.exclude(lineitems_url="").values_list("course_id", flat=True)
    queue_each_now(grades_post, [(course_id,) for course_id in sorted(set(graded))])
    return ids


# Idempotent (the sync applies the difference with the LMS), so safe to acknowledge late and to
# retry when the LMS is down or slow.
@shared_task(
    name="lti.roster_sync_course",
    acks_late=True,
    time_limit=600,
    soft_time_limit=540,
    autoretry_for=(ServiceError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=5,
)
def roster_sync_course(link_id: int) -> dict[str, object]:
    from . import services

    link = LinkedCourse.objects.select_related("platform", "course").get(pk=link_id)
    return services.roster_sync(link=link, now=timezone.now()).as_dict()


# Idempotent (a score already posted is not posted again), so safe to acknowledge late and to
# retry with back-off while the LMS is down: a retry posts only what is left.
@shared_task(
    name="lti.grades_post",
    acks_late=True,
    time_limit=600,
    soft_time_limit=540,
    autoretry_for=(ServiceError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=8,
)
def grades_post(course_id: int) -> dict[str, object]:
    """The course's released grades to its LMS gradebooks (queued by
    services.grades_post_schedule after a recompute, coalesced)."""
    from course.models import Course

    from . import services

    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        return {"course": course_id, "skipped": "no such course"}
    report = services.released_grades_post(course=course, now=timezone.now())
    return {"posted": report.posted, "unchanged": report.unchanged, "not_linked": report.not_linked}


@shared_task(name="lti.grades_posts_requeue", time_limit=60, soft_time_limit=50)
def grades_posts_requeue() -> list[int]:
    """Beat: queue again each course's grade post queued long ago and not started (the broker
    was down at the release or the recompute); one not queued now keeps its new mark and goes
    at a later run."""
    from . import services

    ids = services.grades_posts_requeue(now=timezone.now())
    queue_each_now(grades_post, [(course_id,) for course_id in ids])
    return ids
