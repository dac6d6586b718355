"""Settings of bench/quiz_burst.py: the project's settings plus a bare view for the ceiling."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "_quiz_burst_urls"
