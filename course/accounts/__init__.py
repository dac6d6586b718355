"""The way in: invitations, password reset and change, sessions, university single sign-on.

rules.py (pure), services.py (writes), selectors.py (reads), views/forms/urls (edges),
sso.py (django-allauth's adapters).
"""
