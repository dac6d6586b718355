"""The ground floor: the course, its calendar, people and roles, the syllabus file, permissions.

Every other app stands on this one; course/ imports none of them. Shared machinery that several
apps need (deadlines and late penalties, upload validation) lives here once.
"""
