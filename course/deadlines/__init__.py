"""Deadlines, extensions and late penalties, shared by the apps with hand-ins.

rules.py (pure: lateness, penalties, effective due dates), models.py (extensions and their
requests), services.py (grant, ask, decide), selectors.py (reads), admin.py.
"""
