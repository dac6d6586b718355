"""Daily quizzes: quizzes on the day's reading, timed attempts, autosaved answers, auto-grading.

Stands on course/ (sessions, people, permissions, policies); imports neither the other apps
nor grading/.
grading/ reads quiz scores through quizzes.selectors.
"""
