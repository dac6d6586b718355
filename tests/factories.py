"""factory_boy factories for the test data: people, courses and their sessions, quizzes with
their questions and attempts, scribe slots and notes, pairs and teams.

Each factory makes a valid row with nothing given; a test names only what it is about. The
related rows a factory makes on its own belong to one course (a quiz's session is in the
quiz's course, a membership's course is its group's). For a class of students, `build_batch`
then `bulk_create` keeps the factory's defaults at one query per table.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from course.models import Course, Enrolment, Session, User
from projects.models import Group, GroupKind, GroupMembership
from quizzes.models import Answer, Attempt, Choice, Question, Quiz
from scribing.models import NotesSubmission, ScribeAssignment, ScribeSlot

PASSWORD = "pw-for-tests"
MONTREAL = ZoneInfo("America/Montreal")


class UserFactory(DjangoModelFactory[User]):
    """A person who signs in with `PASSWORD`; `ada` gets ada@example.org and "Ada Test".
    `superuser=True`: the site's operator, as `createsuperuser` makes it (no name)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        superuser = factory.Trait(is_staff=True, is_superuser=True, first_name="", last_name="")

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.LazyAttribute(lambda u: u.username.capitalize())
    last_name = "Test"
    password = Password(PASSWORD)


class CourseFactory(DjangoModelFactory[Course]):
    """A private course of the Winter 2021 term (no calendar: see `SessionFactory`)."""

    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"TST{200 + n}")
    title = "Test course"
    term = "Winter 2021"
    seat_capacity = 30
    term_start = date(2021, 1, 11)
    term_end = date(2021, 4, 16)


class EnrolmentFactory(DjangoModelFactory[Enrolment]):
    """An active registered student of a course."""

    class Meta:
        model = Enrolment

    course = factory.SubFactory(CourseFactory)
    user = factory.SubFactory(UserFactory)
    role = Enrolment.Role.STUDENT
    status = Enrolment.Status.ACTIVE
    requested_at = factory.LazyFunction(timezone.now)


def _lecture_start(session: Session) -> datetime:
    return datetime.combine(session.date, time(9, 30), tzinfo=MONTREAL)


class SessionFactory(DjangoModelFactory[Session]):
    """A 100-minute lecture at 9:30 (course time), one day after the previous one."""

    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    number = factory.Sequence(lambda n: n + 1)
    date = factory.LazyAttribute(lambda s: s.course.term_start + timedelta(days=s.number))
    starts_at = factory.LazyAttribute(_lecture_start)
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(minutes=100))
    kind = Session.Kind.LECTURE
    topic = factory.LazyAttribute(lambda s: f"Lecture {s.number}")


class QuizFactory(DjangoModelFactory[Quiz]):
    """A quiz open since a minute ago for 15 minutes, 10 minutes to answer, 5 s of grace."""

    class Meta:
        model = Quiz

    course = factory.SubFactory(CourseFactory)
    session = factory.SubFactory(SessionFactory, course=factory.SelfAttribute("..course"))
    title = "Quiz"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    closes_at = factory.LazyAttribute(lambda q: q.opens_at + timedelta(minutes=15))
    duration_seconds = 600
    grace_seconds = 5


class QuestionFactory(DjangoModelFactory[Question]):
    """A single-choice question (give it choices with `ChoiceFactory`)."""

    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    order = 0
    kind = Question.Kind.SINGLE
    prompt = "Is $x^2$ convex?"


class ChoiceFactory(DjangoModelFactory[Choice]):
    """A wrong choice, unless `is_correct=True`."""

    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    order = 0
    text = "no"
    is_correct = False


class AttemptFactory(DjangoModelFactory[Attempt]):
    """An attempt started when the quiz opened, with the quiz's duration to answer."""

    class Meta:
        model = Attempt

    quiz = factory.SubFactory(QuizFactory)
    student = factory.SubFactory(UserFactory)
    started_at = factory.LazyAttribute(lambda a: a.quiz.opens_at)
    deadline = factory.LazyAttribute(lambda a: a.started_at + a.quiz.duration)


class AnswerFactory(DjangoModelFactory[Answer]):
    """A blank answer to a question of the attempt's quiz."""

    class Meta:
        model = Answer

    attempt = factory.SubFactory(AttemptFactory)
    question = factory.SubFactory(QuestionFactory, quiz=factory.SelfAttribute("..attempt.quiz"))
    saved_at = factory.LazyFunction(timezone.now)


class ScribeSlotFactory(DjangoModelFactory[ScribeSlot]):
    """Two scribe seats for a lecture (loading a syllabus makes these for every lecture)."""

    class Meta:
        model = ScribeSlot

    course = factory.SubFactory(CourseFactory)
    session = factory.SubFactory(SessionFactory, course=factory.SelfAttribute("..course"))
    capacity = 2


class ScribeAssignmentFactory(DjangoModelFactory[ScribeAssignment]):
    """A student scribing a slot."""

    class Meta:
        model = ScribeAssignment

    slot = factory.SubFactory(ScribeSlotFactory)
    course = factory.SelfAttribute("slot.course")
    student = factory.SubFactory(UserFactory)


class NotesSubmissionFactory(DjangoModelFactory[NotesSubmission]):
    """A first version of a slot's notes, handed in on time (the file is a name only)."""

    class Meta:
        model = NotesSubmission

    slot = factory.SubFactory(ScribeSlotFactory)
    submitted_by = factory.SubFactory(UserFactory)
    version = 1
    tex_file = "notes.tex"
    submitted_at = factory.LazyFunction(timezone.now)
    due_at = factory.SelfAttribute("submitted_at")


class GroupFactory(DjangoModelFactory[Group]):
    """A research-project team without members (add them with `GroupMembershipFactory`)."""

    class Meta:
        model = Group

    course = factory.SubFactory(CourseFactory)
    kind = GroupKind.PROJECT


class GroupMembershipFactory(DjangoModelFactory[GroupMembership]):
    """A student in a group, of the group's course and kind."""

    class Meta:
        model = GroupMembership

    group = factory.SubFactory(GroupFactory)
    course = factory.SelfAttribute("group.course")
    kind = factory.SelfAttribute("group.kind")
    student = factory.SubFactory(UserFactory)
