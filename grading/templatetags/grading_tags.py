from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS_LABELS = {
    "graded": _("graded"),
    "pending": _("pending"),
    "missing": _("missing"),
    "excused": _("excused"),
}


@register.filter
def status_label(status: object) -> object:
    """The translated name of a ScoreStatus."""
    return STATUS_LABELS.get(str(status), str(status))
