from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from course.links import validate_web_link
from course.models import BibliographyEntry, Course


class StudentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class InviteForm(forms.Form):
    to_user = StudentChoiceField(
        label=_("Invite"), queryset=None, empty_label=_("Choose a classmate")
    )

    def __init__(self, *args: Any, students: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = students  # type: ignore[attr-defined]  # a ModelChoiceField, declared on the form


class ProposalForm(forms.Form):
    bib_entry = forms.ModelChoiceField(
        label=_("From the course bibliography"),
        queryset=BibliographyEntry.objects.none(),
        required=False,
        empty_label=_("— a paper from outside the bibliography —"),
    )
    title = forms.CharField(label=_("Title"), max_length=400, required=False)
    authors = forms.CharField(label=_("Authors"), max_length=400, required=False)
    url = forms.URLField(
        label=_("Link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[validate_web_link],
    )
    why = forms.CharField(
        label=_("Why this paper"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bib_entry"].queryset = BibliographyEntry.objects.filter(  # type: ignore[attr-defined]  # a ModelChoiceField, declared on the form
            course=course, kind=BibliographyEntry.Kind.PAPER
        ).order_by("title")


class SlidesForm(forms.Form):
    file = forms.FileField(
        label=_("Slides (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


class TeamChoiceForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic area"))
    project_kind = forms.ChoiceField(label=_("Kind of project"))
    working_title = forms.CharField(label=_("Working title"), max_length=300, required=False)

    def __init__(self, *args: Any, topics: list[str], kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "—"), *((t, t) for t in topics)]  # type: ignore[attr-defined]  # a ChoiceField, declared on the form
        self.fields["project_kind"].choices = [("", "—"), *((k, k) for k in kinds)]  # type: ignore[attr-defined]  # a ChoiceField, declared on the form


class MilestoneSubmitForm(forms.Form):
    file = forms.FileField(
        label=_("PDF"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    link = forms.URLField(
        label=_("or a link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[validate_web_link],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("link"):
            raise forms.ValidationError(_("Upload a PDF or give a link."))
        return data
