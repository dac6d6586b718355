"""The address a lockout counts, and the lockout message: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import RequestFactory, override_settings
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from course.logins import client_address, lockout_message

addresses = st.ip_addresses().map(str)


@settings(deadline=None)  # a shared 2-core machine: time is not what is tested
@given(forged=st.lists(addresses, max_size=5), client=addresses, proxies=st.integers(1, 3))
def test_the_address_is_the_one_the_trusted_proxies_saw(
    forged: list[str], client: str, proxies: int
) -> None:
    # The client may send any X-Forwarded-For; each trusted proxy then appends what it saw.
    chain = [*forged, client] + [f"10.0.0.{n}" for n in range(proxies - 1)]
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR=", ".join(chain), REMOTE_ADDR="10.9.9.9"
    )
    with override_settings(COURSEKIT_TRUSTED_PROXY_COUNT=proxies):
        assert client_address(request) == client


@settings(deadline=None)
@given(forged=st.lists(addresses, max_size=3))
def test_without_a_trusted_proxy_the_socket_address_counts(forged: list[str]) -> None:
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR=", ".join(forged), REMOTE_ADDR="198.51.100.7"
    )
    with override_settings(COURSEKIT_TRUSTED_PROXY_COUNT=0):
        assert client_address(request) == "198.51.100.7"


def test_lockout_message_says_when_in_the_course_zone() -> None:
    now = datetime(2026, 3, 8, 6, 50, tzinfo=UTC)  # 1:50 in Montreal, before the DST change
    with translation.override("en"):
        # 15 minutes later is 3:05 local: the clock skipped an hour at 2:00.
        assert lockout_message(timedelta(minutes=15), now).endswith(
            "Try again in 15 minutes (at 3:05 a.m.)."
        )
        assert "in 1 minute (" in lockout_message(timedelta(seconds=20), now)
    with translation.override("fr"):
        assert "Réessayez dans 15 minutes (à 03:05)." in lockout_message(timedelta(minutes=15), now)
