"""Uploaded files: validation.py checks what a student sends (name, size, content, archives);
responses.py serves a stored file back once a view has checked the permission."""
