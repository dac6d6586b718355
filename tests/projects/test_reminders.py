from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from course.notifications.models import Notification
from course.notifications.services import dispatch_due
from projects import reminders, services
from projects.models import GroupKind, Milestone, TalkSlot
from tests.present import present
from tests.reading import page_in

TZ = ZoneInfo("America/Montreal")
NOW = datetime(2021, 2, 10, 12, 0, tzinfo=TZ)


def kinds_for(course, now, user):
    return sorted(
        r.kind
        for r in reminders.project_reminders(course, now)
        if r.recipient_user_id == user.pk and r.due_at <= now < (r.expires_at or now + timedelta(1))
    )


def test_setting_a_tba_date_notifies_every_team_member_once(pcourse, students) -> None:
    services.milestones_sync(course=pcourse)
    services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=students[:2])
    services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=students[2:3])
    poster = Milestone.objects.get(course=pcourse, key="poster")
    services.milestone_date_set(milestone=poster, due=datetime(2021, 4, 15, 9, tzinfo=TZ), now=NOW)
    dispatch_due(now=NOW + timedelta(minutes=1), courses=[pcourse])
    dispatch_due(now=NOW + timedelta(minutes=2), courses=[pcourse])
    sent = Notification.objects.filter(kind="milestone_date_set")
    assert sorted(n.recipient_id for n in sent) == sorted(s.pk for s in students[:3])
    assert "2021-04-15 09:00" in present(sent.first()).body


def test_due_soon_stops_once_handed_in(pcourse, students, pdf_bytes) -> None:
    ms = {m.key: m for m in services.milestones_sync(course=pcourse)}
    team = services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=students[:2])
    before = present(ms["proposal"].due) - timedelta(hours=30)
    # Only the latest reminder still ahead: 30 h before, "due in 48 h", not also "in 7 days".
    assert kinds_for(pcourse, before, students[0]) == ["milestone_due_48h"]
    assert kinds_for(pcourse, present(ms["proposal"].due) - timedelta(days=5), students[0]) == [
        "milestone_due_7d"
    ]
    services.milestone_submit(
        group=team,
        milestone=ms["proposal"],
        user=students[1],
        now=before,
        upload=SimpleUploadedFile("p.pdf", pdf_bytes),
    )
    assert kinds_for(pcourse, before, students[0]) == []


def test_talk_and_slides_and_invitation_reminders(pcourse, students, pdf_bytes) -> None:
    services.talk_slots_sync(course=pcourse)
    g = services.group_create(course=pcourse, kind=GroupKind.PRESENTATION, students=students[:2])
    p = services.paper_propose(
        group=g, user=students[0], title="t", url="https://arxiv.org/abs/1", now=NOW
    )
    services.paper_decide(proposal=p, approve=True, now=NOW)
    slot = present(TalkSlot.objects.filter(kind=GroupKind.PRESENTATION).first())
    services.talk_slot_pick(slot=slot, group=g, user=students[0], now=NOW)
    day_before = slot.starts_at - timedelta(hours=20)
    assert kinds_for(pcourse, day_before, students[1]) == [
        "presentation_in_3d",
        "slides_missing_24h",
    ]
    services.slides_upload(
        group=g, user=students[0], upload=SimpleUploadedFile("s.pdf", pdf_bytes), now=day_before
    )
    assert kinds_for(pcourse, day_before, students[1]) == ["presentation_in_3d"]
    services.invitation_send(
        course=pcourse, kind=GroupKind.PROJECT, from_user=students[0], to_user=students[2], now=NOW
    )
    assert kinds_for(pcourse, NOW, students[2]) == ["pair_invitation"]


def test_digest_counts(pcourse, students, django_assert_max_num_queries) -> None:
    g = services.group_create(course=pcourse, kind=GroupKind.PRESENTATION, students=students[:2])
    services.paper_propose(
        group=g, user=students[0], title="t", url="https://arxiv.org/abs/1", now=NOW
    )
    with django_assert_max_num_queries(2):
        lines = list(reminders.project_digest(pcourse, NOW))
    assert [line.count for line in lines] == [1, 0]


def test_reminder_queries_do_not_grow(pcourse, make_member, django_assert_max_num_queries) -> None:
    from course.models import Enrolment

    services.milestones_sync(course=pcourse)
    services.talk_slots_sync(course=pcourse)
    for size in (2, 8):
        people = [make_member(pcourse, Enrolment.Role.STUDENT) for _ in range(size)]
        team = services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=people)
        slot = present(TalkSlot.objects.filter(kind=GroupKind.PROJECT, group__isnull=True).first())
        services.talk_slot_assign(slot=slot, group=team, now=NOW)
        with django_assert_max_num_queries(11):
            list(reminders.project_reminders(pcourse, NOW))


def test_a_graded_milestone_is_announced_once_to_the_team(pcourse, students) -> None:
    from decimal import Decimal

    from django.utils import timezone

    ms = {m.key: m for m in services.milestones_sync(course=pcourse)}
    team = services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=students[:2])
    services.milestone_grade_set(group=team, milestone=ms["proposal"], percent=Decimal(88))
    now = timezone.now() + timedelta(minutes=1)
    dispatch_due(now=now, courses=[pcourse])
    dispatch_due(now=now + timedelta(minutes=5), courses=[pcourse])
    sent = Notification.objects.filter(kind="grade_released")
    assert sorted(n.recipient_id for n in sent) == sorted(s.pk for s in students[:2])


def test_the_members_who_stay_are_told_once_and_the_leaver_is_not(pcourse, students) -> None:
    a, b, c, d, e = students[:5]
    pair = services.group_create(course=pcourse, kind=GroupKind.PRESENTATION, students=[a, b])
    team = services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=[c, d, e])
    services.group_leave(group=pair, user=a, now=NOW)
    services.group_leave(group=team, user=e, now=NOW)
    for minutes in (1, 2):  # a second dispatch sends nothing again
        dispatch_due(now=NOW + timedelta(minutes=minutes), courses=[pcourse])
    told = Notification.objects.filter(kind="group_member_left")
    assert sorted(n.recipient_id for n in told) == sorted([b.pk, c.pk, d.pk])
    to_b = told.get(recipient=b)
    assert str(a.get_full_name()) in to_b.subject and "no partner" in to_b.body
    assert to_b.url.endswith("/presentations/")
    to_c = told.get(recipient=c)
    assert str(team) in to_c.body and "no partner" not in to_c.body
    # A week later the news is stale: nothing for a departure that old.
    assert "group_member_left" in kinds_for(pcourse, NOW + timedelta(days=6), c)
    assert "group_member_left" not in kinds_for(pcourse, NOW + timedelta(days=8), c)


def test_who_left_reads_in_the_language_of_its_reader_now(client, pcourse, students) -> None:
    """Stored as data, the news is read in the language of the reader of the moment; the noun
    of the group inside it too."""
    a, b, c, d = students[:4]
    b.preferred_language = "fr"
    b.save(update_fields=["preferred_language"])
    pair = services.group_create(course=pcourse, kind=GroupKind.PRESENTATION, students=[a, b])
    team = services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=[c, d])
    services.group_leave(group=pair, user=a, now=NOW)
    services.group_leave(group=team, user=d, now=NOW)
    dispatch_due(now=NOW + timedelta(minutes=1), courses=[pcourse])
    assert "binôme d" in Notification.objects.get(recipient=b).subject  # made in French
    client.force_login(b)
    page = page_in(client, "/c/PRJ101/notifications/", "en")
    assert f"PRJ101: {a.get_full_name()} left your presentation pair" in page
    assert "which is dissolved: you have no partner for it now" in page
    assert "binôme" not in page
    client.force_login(c)  # made in English, read in French
    page = page_in(client, "/c/PRJ101/notifications/", "fr")
    assert "équipe de projet" in page and "project team" not in page
