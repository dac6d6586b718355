"""The pure rules of the way in: invitation states, welcomes, names, SSO matching, SSO config."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.sso import providers_from_env
from course.accounts import rules
from course.accounts.rules import InvitationState, SsoCandidate, SsoMatch
from tests.present import present

SENT = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
EXPIRES = rules.invitation_expiry(SENT, 14)


def test_an_invitation_lasts_the_configured_days():
    assert datetime(2026, 12, 15, 14, 0, tzinfo=UTC) == EXPIRES


@pytest.mark.parametrize(
    ("now", "accepted", "replaced", "state"),
    [
        (SENT, None, None, InvitationState.VALID),
        (EXPIRES - timedelta(seconds=1), None, None, InvitationState.VALID),
        (EXPIRES, None, None, InvitationState.EXPIRED),  # the end is exclusive
        (EXPIRES + timedelta(days=30), None, None, InvitationState.EXPIRED),
        (SENT, SENT, None, InvitationState.USED),
        (EXPIRES + timedelta(days=1), SENT, None, InvitationState.USED),  # used, then too late
        (SENT, None, SENT, InvitationState.REPLACED),
        (EXPIRES, None, SENT, InvitationState.REPLACED),
    ],
)
def test_invitation_state(now, accepted, replaced, state):
    assert (
        rules.invitation_state(
            now=now, expires_at=EXPIRES, accepted_at=accepted, replaced_at=replaced
        )
        == state
    )


@given(
    offset=st.integers(min_value=-(10**7), max_value=10**7),
    accepted=st.booleans(),
    replaced=st.booleans(),
)
def test_only_an_unused_unreplaced_link_before_its_end_is_valid(offset, accepted, replaced):
    now = EXPIRES + timedelta(seconds=offset)
    state = rules.invitation_state(
        now=now,
        expires_at=EXPIRES,
        accepted_at=SENT if accepted else None,
        replaced_at=SENT if replaced else None,
    )
    assert (state == InvitationState.VALID) == (not accepted and not replaced and offset < 0)


@given(st.text(min_size=1, max_size=80))
def test_token_digest_is_stable_and_hides_the_token(token):
    digest = rules.token_digest(token)
    assert digest == rules.token_digest(token)
    assert len(digest) == 64 and set(digest) <= set("0123456789abcdef")
    assert rules.token_digest(token + "x") != digest


def test_welcome():
    assert rules.welcome_for(has_usable_password=False, has_sso_account=False) == "invitation"
    assert rules.welcome_for(has_usable_password=True, has_sso_account=False) == "notice"
    assert rules.welcome_for(has_usable_password=False, has_sso_account=True) == "notice"


@pytest.mark.parametrize(
    "name",
    [
        "Ada\r\nBcc: everyone@example.org",
        "Ada\nLovelace",
        "Ada\x00",
        "Ada\u2028Lovelace",
        "Ada\u202eecalevoL",  # a right-to-left override turns a name around in a subject
    ],
)
def test_a_name_with_line_breaks_or_control_characters_is_refused(name):
    assert "line break" in present(rules.name_problem(name))


@pytest.mark.parametrize(
    "name", ["Ada Lovelace", "Éloïse D'Aubigné", "李 小龍", "Jean-Luc  Picard"]
)
def test_real_names_pass(name):
    assert rules.name_problem(name) is None


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Zl", "Zp"))))
def test_names_without_control_characters_always_pass(name):
    assert rules.name_problem(name) is None


def test_sso_match():
    assert rules.sso_match([]) == (SsoMatch.NOT_ENROLLED, None)
    assert rules.sso_match([SsoCandidate(7, "email")]) == (SsoMatch.LINK, 7)
    both_same = [SsoCandidate(7, "email"), SsoCandidate(7, "student_id")]
    assert rules.sso_match(both_same) == (SsoMatch.LINK, 7)
    two_people = [SsoCandidate(7, "email"), SsoCandidate(8, "student_id")]
    assert rules.sso_match(two_people) == (SsoMatch.AMBIGUOUS, None)


@given(
    st.lists(st.builds(SsoCandidate, st.integers(1, 5), st.sampled_from(["email", "student_id"])))
)
def test_sso_links_only_when_every_clue_names_the_same_account(candidates):
    match, user_id = rules.sso_match(candidates)
    ids = {c.user_id for c in candidates}
    if len(ids) == 1:
        assert (match, user_id) == (SsoMatch.LINK, next(iter(ids)))
    else:
        assert user_id is None and match != SsoMatch.LINK


@pytest.mark.parametrize(
    ("sso", "staff", "sso_only_everywhere", "allowed"),
    [
        (False, False, True, True),  # no SSO configured: the course's switch has no effect
        (True, False, True, False),
        (True, True, True, True),  # staff keep their password
        (True, False, False, True),  # another course of theirs still allows passwords
    ],
)
def test_local_password_allowed(sso, staff, sso_only_everywhere, allowed):
    assert (
        rules.local_password_allowed(
            sso_configured=sso,
            is_staff_somewhere=staff,
            sso_only_in_all_courses=sso_only_everywhere,
        )
        is allowed
    )


# --- the providers from the environment --------------------------------------------------------


def test_no_variables_no_provider():
    assert providers_from_env({}) == {}


def test_an_openid_connect_provider_from_the_environment():
    providers = providers_from_env(
        {
            "COURSEKIT_OIDC_SERVER_URL": "https://login.example.edu/realms/students",
            "COURSEKIT_OIDC_CLIENT_ID": "coursekit",
            "COURSEKIT_OIDC_CLIENT_SECRET": "s3cret",
            "COURSEKIT_OIDC_NAME": "UdeM",
        }
    )
    (app,) = providers["openid_connect"]["APPS"]
    assert app["provider_id"] == "university" and app["name"] == "UdeM"
    assert app["client_id"] == "coursekit" and app["secret"] == "s3cret"
    assert app["settings"]["server_url"] == "https://login.example.edu/realms/students"
    assert app["settings"]["oauth_pkce_enabled"] is True


def test_an_openid_connect_provider_without_client_id_is_refused_at_start():
    with pytest.raises(ValueError, match="COURSEKIT_OIDC_CLIENT_ID"):
        providers_from_env({"COURSEKIT_OIDC_SERVER_URL": "https://login.example.edu"})


def test_a_saml_provider_from_the_environment():
    providers = providers_from_env(
        {
            "COURSEKIT_SAML_IDP_ENTITY_ID": "https://idp.example.edu/saml",
            "COURSEKIT_SAML_IDP_SSO_URL": "https://idp.example.edu/saml/sso",
            "COURSEKIT_SAML_IDP_X509CERT": "-----BEGIN CERTIFICATE-----\\nMIIB\\nAQAB\\n-----END CERTIFICATE-----",
        }
    )
    (app,) = providers["saml"]["APPS"]
    assert app["client_id"] == "university"
    idp = app["settings"]["idp"]
    assert idp == {
        "entity_id": "https://idp.example.edu/saml",
        "sso_url": "https://idp.example.edu/saml/sso",
        "x509cert": "MIIBAQAB",
    }
    assert app["settings"]["advanced"]["want_assertion_signed"] is True


def test_a_saml_provider_needs_metadata_or_address_and_certificate():
    with pytest.raises(ValueError, match="METADATA_URL"):
        providers_from_env({"COURSEKIT_SAML_IDP_ENTITY_ID": "https://idp.example.edu/saml"})


def test_sign_in_links_are_hidden_from_staff_only_in_invitations_and_resets():
    body = "Choose here:\nhttps://ck.example/accounts/invitation/abc_DEF-1/\n\nBye"
    assert rules.hide_sign_in_links("invitation", body) == "Choose here:\n[link hidden]\n\nBye"
    reset = "Open http://x/accounts/reset/Mg/c1-ab/ now"
    assert rules.hide_sign_in_links("password_reset", reset) == "Open [link hidden] now"
    assert rules.hide_sign_in_links("announcement", body) == body


def test_the_sign_in_page_may_send_its_forms_to_the_configured_identity_providers() -> None:
    providers = {
        "openid_connect": {"APPS": [{"settings": {"server_url": "https://id.umontreal.ca/o"}}]},
        "saml": {
            "APPS": [
                {
                    "settings": {
                        "idp": {
                            "entity_id": "https://saml.umontreal.ca/idp",
                            "sso_url": "https://sso.umontreal.ca/login",
                        }
                    }
                }
            ]
        },
    }
    assert rules.identity_provider_origins(providers) == [
        "https://id.umontreal.ca",
        "https://sso.umontreal.ca",
        "https://saml.umontreal.ca",
    ]
    assert rules.identity_provider_origins({}) == []
    bad = {"openid_connect": {"APPS": [{"settings": {"server_url": "javascript:alert(1)"}}]}}
    assert rules.identity_provider_origins(bad) == []
