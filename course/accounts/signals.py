"""Every sign-in (password, invitation, SSO, admin) goes through Django's login(): its signals
are where the sessions of a person are recorded, so that "sign out everywhere" can end them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out

from . import services
from .models import SignedInSession


def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        if session.session_key is None:
            session.save()
        services.session_record(user=user, session_key=session.session_key)


def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        SignedInSession.objects.filter(session_key=session.session_key).delete()


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="coursekit_session_record")
    user_logged_out.connect(_signed_out, dispatch_uid="coursekit_session_forget")
