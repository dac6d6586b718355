"""Paper presentations and research projects: pairs and teams, agreed-upon papers, talk slots, milestones.

Stands on course/ (sessions, people, permissions, deadlines); imports neither the other apps nor grading/.
grading/ reads presentation and project scores through projects.selectors.
"""
