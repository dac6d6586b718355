"""Demo content: pairs with approved papers, some talk slots taken, project teams with topics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from course.models import BibliographyEntry, Course
from course.selectors import course_policy

from . import services
from .models import GroupKind, GroupMembership, MilestoneSubmission, PaperProposal, TalkSlot
from .policy import ProjectPolicy

DEMO_PAIRS = [
    (("ada", "alan"), "zhang2017"),
    (("grace", "kurt"), "keskar2017"),
    (("emmy", "john"), "goodfellow2014"),
    (("sofia", "claude"), None),  # formed, no paper yet
]
DEMO_TEAMS = [
    (("ada", "grace"), 0, 0, "Sharpness of minima under large-batch training"),
    (("alan", "kurt"), 3, 4, "Negative momentum on a toy GAN"),
    (("emmy", "sofia"), 1, 1, ""),
]
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _users(names: tuple[str, ...]) -> list[Any]:
    User = get_user_model()
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    return [found[n] for n in names if n in found]


def _group_for(course: Course, kind: str, users: list[Any]) -> Any:
    existing = GroupMembership.objects.filter(course=course, kind=kind, student__in=users)
    if existing.exists():
        return existing.first().group  # type: ignore[union-attr]  # exists() just said there is one
    return services.group_create(course=course, kind=kind, students=users)


def demo_projects(course: Course, now: dt.datetime) -> None:
    """Idempotent: groups are found again by their members; nothing is created twice."""
    services.milestones_sync(course=course)
    services.talk_slots_sync(course=course)
    policy_topics = course_policy(course, ProjectPolicy)
    bib = {b.key: b for b in BibliographyEntry.objects.filter(course=course)}
    free_slots = list(
        TalkSlot.objects.filter(
            course=course, kind=GroupKind.PRESENTATION, starts_at__gt=now
        ).order_by("starts_at")
    )
    for i, (names, key) in enumerate(DEMO_PAIRS):
        users = _users(names)
        if len(users) != len(names):
            continue
        group = _group_for(course, GroupKind.PRESENTATION, users)
        if key is None or key not in bib:
            continue
        if not PaperProposal.objects.filter(group=group).exists():
            proposal = services.paper_propose(
                group=group,
                user=users[0],
                title="",
                why="It questions what we saw in the generalization lectures.",
                bib_entry=bib[key],
                now=now,
            )
            services.paper_decide(proposal=proposal, approve=True, comment="Good choice.", now=now)
        if i < 2 and i * 2 < len(free_slots) and not TalkSlot.objects.filter(group=group).exists():
            slot = free_slots[i * 2]
            slot.refresh_from_db()
            if slot.group_id is None:
                services.talk_slot_assign(slot=slot, group=group, now=now)
    synced = services.milestones_sync(course=course)
    proposal_ms = next((m for m in synced if m.key == "proposal"), None)
    for names, topic_i, kind_i, title in DEMO_TEAMS:
        users = _users(names)
        if len(users) != len(names):
            continue
        team = _group_for(course, GroupKind.PROJECT, users)
        if policy_topics.topics and policy_topics.kinds and not team.topic:
            services.project_choice_set(
                group=team,
                topic=policy_topics.topics[topic_i % len(policy_topics.topics)],
                project_kind=policy_topics.kinds[kind_i % len(policy_topics.kinds)],
                working_title=title,
            )
        if title and not TalkSlot.objects.filter(group=team).exists():
            talk = (
                TalkSlot.objects.filter(
                    course=course, kind=GroupKind.PROJECT, group__isnull=True, starts_at__gt=now
                )
                .order_by("starts_at")
                .first()
            )
            if talk is not None:
                services.talk_slot_assign(slot=talk, group=team, now=now)
        if (
            title
            and proposal_ms is not None
            and not MilestoneSubmission.objects.filter(group=team, milestone=proposal_ms).exists()
        ):
            services.milestone_submit(
                group=team,
                milestone=proposal_ms,
                user=users[0],
                now=(proposal_ms.due - dt.timedelta(days=1)) if proposal_ms.due else now,
                upload=SimpleUploadedFile("proposal.pdf", MINIMAL_PDF, "application/pdf"),
            )
