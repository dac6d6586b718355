"""Start the test identity provider: migrate its own database, register Coursekit as a client
and the university's people, then serve on 127.0.0.1:IDP_PORT until killed.

Environment: IDP_PORT, IDP_DATABASE, IDP_RSA_KEY_FILE, IDP_CLIENT_ID, IDP_CLIENT_SECRET,
IDP_REDIRECT_URI, IDP_PEOPLE (JSON list of {username, password, email, first_name,
last_name}), IDP_STUDENT_IDS (JSON {username: student id}).
"""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.accounts.idp.settings")
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # plain HTTP on the loopback only


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0)
    User = get_user_model()
    for person in json.loads(os.environ.get("IDP_PEOPLE", "[]")):
        User.objects.create_user(**person)
    get_application_model().objects.create(
        name="Coursekit",
        client_id=os.environ["IDP_CLIENT_ID"],
        client_secret=os.environ["IDP_CLIENT_SECRET"],
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris=os.environ["IDP_REDIRECT_URI"],
        algorithm="RS256",
        skip_authorization=True,  # the university's own app: no consent screen
    )
    run("127.0.0.1", int(os.environ["IDP_PORT"]), get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
