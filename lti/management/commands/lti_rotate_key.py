from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from lti.models import ToolKey
from lti.services import tool_key_rotate


class Command(BaseCommand):
    help = (
        "Generate Coursekit's LTI signing key (the first time) or rotate it: the new key signs, "
        "the previous one stays published at /lti/jwks.json until the next rotation."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-missing", action="store_true", help="Only generate a key when there is none."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_missing"] and ToolKey.objects.filter(retired_at__isnull=True).exists():
            self.stdout.write("A signing key exists; nothing done.")
            return
        key = tool_key_rotate(now=timezone.now())
        published = ToolKey.objects.filter(retired_at__isnull=True).count()
        self.stdout.write(f"New signing key {key.kid}; {published} key(s) published.")
