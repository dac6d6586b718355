"""The syllabus file: one YAML file describes a whole course.

schema.py (its pydantic schema), yaml_file.py (reading and writing its YAML safely),
parsing.py (validate a file whole, pure), messages.py (pydantic's messages in the
reader's language), services.py (apply a file in one transaction),
selectors.py (read a course back as a file), hooks.py (what the apps register).
"""
