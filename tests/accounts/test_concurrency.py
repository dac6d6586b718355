"""One invitation link submitted twice at the same instant sets the password once (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from course.accounts import services as account_services
from tests.scribing.test_concurrency import _race


@pytest.mark.django_db(transaction=True)
def test_a_link_used_twice_at_once_sets_one_password(course):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL; run with DATABASE_URL=postgres://...")
    User = get_user_model()
    for n in range(3):
        user = User.objects.create_user(f"ada{n}", f"ada{n}@example.org")
        sent = account_services.invitation_send(
            course=course, user=user, invited_by=None, now=timezone.now()
        )
        done, errors = _race(
            [
                lambda p=p, pk=sent.invitation.pk: account_services.invitation_accept(
                    invitation_id=pk, password=p, now=timezone.now()
                )
                for p in ("first-long-passphrase", "second-long-passphrase")
            ]
        )
        assert len(done) == 1 and len(errors) == 1
        assert isinstance(errors[0], account_services.InvitationRefused)
        assert errors[0].state == "used"
        user.refresh_from_db()
        assert (
            sum(user.check_password(p) for p in ("first-long-passphrase", "second-long-passphrase"))
            == 1
        )
