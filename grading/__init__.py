"""The gradebook: weighted components, exams and participation, overrides, the final grade and exports.

The top floor: reads every component through the other apps' selectors and computes the gradebook;
nothing imports grading/.
"""
