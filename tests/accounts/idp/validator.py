"""The claims a university gives: name, verified e-mail and the student id (the registrar's)."""

import json
import os

from oauth2_provider.oauth2_validators import OAuth2Validator


class UniversityClaims(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "student_id": "profile",
        "email_verified": "email",
    }

    def get_additional_claims(self, request):
        user = request.user
        student_ids = json.loads(os.environ.get("IDP_STUDENT_IDS", "{}"))
        claims = {
            "preferred_username": user.username,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
            "email_verified": True,
        }
        if user.username in student_ids:
            claims["student_id"] = student_ids[user.username]
        return claims
