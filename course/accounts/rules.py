"""Pure rules of the way in: invitation links, who gets which welcome, whom an SSO sign-in is.

No ORM, no clock, no settings: callers pass `now`, the facts of the account and the claims.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit


class InvitationState(StrEnum):
    VALID = "valid"
    USED = "used"  # the password was chosen with it
    EXPIRED = "expired"
    REPLACED = "replaced"  # a newer invitation was sent


def invitation_state(
    *,
    now: datetime,
    expires_at: datetime,
    accepted_at: datetime | None,
    replaced_at: datetime | None,
) -> InvitationState:
    """Used beats everything (the person is in); then replaced; then expired (exclusive end)."""
    if accepted_at is not None:
        return InvitationState.USED
    if replaced_at is not None:
        return InvitationState.REPLACED
    if now >= expires_at:
        return InvitationState.EXPIRED
    return InvitationState.VALID


def invitation_expiry(sent_at: datetime, max_age_days: int) -> datetime:
    return sent_at + timedelta(days=max_age_days)


def token_digest(token: str) -> str:
    """What the database keeps of a link's token: its SHA-256 (the token itself is not stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Welcome(StrEnum):
    INVITATION = "invitation"  # no way to sign in yet: choose a password
    NOTICE = "notice"  # already has an account: "you were added to IFT6085"


def welcome_for(*, has_usable_password: bool, has_sso_account: bool) -> Welcome:
    return Welcome.NOTICE if has_usable_password or has_sso_account else Welcome.INVITATION


def name_problem(name: str) -> str | None:
    """Why a person's name cannot go into e-mails and pages as it is, or None.

    Line breaks and other control characters are how a name smuggles headers into an e-mail;
    no real name has them.
    """
    for ch in name:
        if ch in "\r\n" or unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"}:
            return "the name contains a line break or a control character"
    return None


@dataclass(frozen=True)
class SsoCandidate:
    """An account that the SSO identity may be: found by e-mail or by student id."""

    user_id: int
    by: str  # "email" or "student_id"


class SsoMatch(StrEnum):
    LINK = "link"
    NOT_ENROLLED = "not_enrolled"
    AMBIGUOUS = "ambiguous"


def sso_match(candidates: Iterable[SsoCandidate]) -> tuple[SsoMatch, int | None]:
    """The one account the identity is, else why not.

    Candidates come only from people on a roster (an enrolment not dropped) and e-mail only
    counts when the identity provider verified it. Two different accounts (the e-mail names
    one, the student id another) are refused: linking either could hand one student's work
    to another.
    """
    ids = {c.user_id for c in candidates}
    if not ids:
        return SsoMatch.NOT_ENROLLED, None
    if len(ids) > 1:
        return SsoMatch.AMBIGUOUS, None
    return SsoMatch.LINK, ids.pop()


def local_password_allowed(
    *, sso_configured: bool, is_staff_somewhere: bool, sso_only_in_all_courses: bool
) -> bool:
    """Local passwords are off for a student only when SSO exists and every course of theirs
    asks for it; instructors and TAs keep theirs (they must reach the admin if SSO fails)."""
    if not sso_configured or is_staff_somewhere:
        return True
    return not sso_only_in_all_courses


SIGN_IN_LINK_KINDS = frozenset({"invitation", "password_reset"})
_SIGN_IN_LINK = re.compile(r"\S*/accounts/(?:invitation|reset)/\S+")


def hide_sign_in_links(kind: str, body: str) -> str:
    """The body of an outgoing message as staff may read it: a link that sets the recipient's
    password is replaced by a mark (whoever holds it could sign in as them)."""
    if kind not in SIGN_IN_LINK_KINDS:
        return body
    return _SIGN_IN_LINK.sub("[link hidden]", body)


def identity_provider_origins(providers: Mapping[str, Any]) -> list[str]:
    """The origins the university sign-in buttons send the browser to: the button is a form
    posted to Coursekit, answered by a redirect to the identity provider, and the browser checks
    that redirect against the sign-in page's CSP form-action."""
    urls: list[str] = []
    for app in providers.get("openid_connect", {}).get("APPS", []):
        urls.append(app.get("settings", {}).get("server_url", ""))
    for app in providers.get("saml", {}).get("APPS", []):
        idp = app.get("settings", {}).get("idp", {})
        urls += [idp.get("sso_url", ""), idp.get("metadata_url", ""), idp.get("entity_id", "")]
    origins: list[str] = []
    for url in urls:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("http", "https") and parts.netloc and origin not in origins:
            origins.append(origin)
    return origins
