"""Fixtures of the accounts tests: a roster file, the invitation link out of an e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest

ROSTER = (
    "First name,Last name,Email address,ID number,Roles\n"
    "Ada,Lovelace,ada@example.org,20260001,Student\n"
    "Alan,Turing,alan@example.org,20260002,Student\n"
)

LINK = re.compile(r"https?://\S+/accounts/(?:invitation|reset)/\S+/")


def link_in(body: object) -> str:
    """The one link to choose a password in a message body (a str, or a lazy one)."""
    found = LINK.findall(str(body))
    assert len(found) == 1, body
    return found[0]


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def roster_text() -> str:
    return ROSTER


@pytest.fixture
def instructor(course: Any, make_member: Any) -> Any:
    return make_member(course, "instructor", username="prof")


# --- a real OpenID Connect identity provider, in its own process ----------------------------

IDP_CLIENT_ID = "coursekit-tests"
IDP_CLIENT_SECRET = "coursekit-tests-secret"
IDP_PASSWORD = "university-pw"
IDP_PEOPLE = [
    # On the roster by student id, with a personal address the roster does not know.
    {
        "username": "alovelace",
        "email": "ada.l@umontreal.example",
        "first_name": "Ada",
        "last_name": "Lovelace",
    },
    # On the roster by e-mail (no student id claim).
    {
        "username": "aturing",
        "email": "alan@example.org",
        "first_name": "Alan",
        "last_name": "Turing",
    },
    # On no roster.
    {
        "username": "stranger",
        "email": "stranger@umontreal.example",
        "first_name": "Sam",
        "last_name": "Stranger",
    },
]
IDP_STUDENT_IDS = {"alovelace": "20260001", "stranger": "99999999"}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def oidc_provider(live_server: Any, tmp_path_factory: Any) -> Any:
    """django-oauth-toolkit's OpenID Connect provider on a local port, with Coursekit (the
    live server) registered as its client; yields the COURSEKIT_OIDC_* variables for it."""
    import json
    import os
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    folder = tmp_path_factory.mktemp("idp")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = folder / "key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    port = _free_port()
    people = [{**p, "password": IDP_PASSWORD} for p in IDP_PEOPLE]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.accounts.idp.settings",
        "IDP_PORT": str(port),
        "IDP_DATABASE": str(folder / "idp.sqlite3"),
        "IDP_RSA_KEY_FILE": str(key_file),
        "IDP_CLIENT_ID": IDP_CLIENT_ID,
        "IDP_CLIENT_SECRET": IDP_CLIENT_SECRET,
        "IDP_REDIRECT_URI": f"{live_server.url}/accounts/sso/oidc/university/login/callback/",
        "IDP_PEOPLE": json.dumps(people),
        "IDP_STUDENT_IDS": json.dumps(IDP_STUDENT_IDS),
    }
    env.pop("DATABASE_URL", None)
    log = open(folder / "idp.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.accounts.idp.serve"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/o"
    deadline = time.monotonic() + 60
    while True:
        try:
            discovery = f"{base}/.well-known/openid-configuration"  # http on 127.0.0.1, above
            with urllib.request.urlopen(discovery, timeout=2):  # noqa: S310
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                pytest.fail(
                    "The test identity provider did not start:\n" + (folder / "idp.log").read_text()
                )
            time.sleep(0.2)
    yield {
        "COURSEKIT_OIDC_SERVER_URL": base,
        "COURSEKIT_OIDC_CLIENT_ID": IDP_CLIENT_ID,
        "COURSEKIT_OIDC_CLIENT_SECRET": IDP_CLIENT_SECRET,
        "COURSEKIT_OIDC_NAME": "Université de Test",
    }
    process.terminate()
    process.wait(timeout=10)
    log.close()
