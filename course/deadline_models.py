"""Models of the shared deadline machinery (extensions and their requests); see course/deadlines.py."""
