"""Scribe notes: slots per lecture, sign-up and fair assignment, LaTeX submissions, late penalty, publication.

Stands on course/ (sessions, people, permissions, deadlines); imports neither the other apps nor grading/.
grading/ reads scribing scores through scribing.selectors.
"""
