"""Forms of the scribing pages: files checked by content through course.uploads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from course.uploads.validation import validate_upload


class NotesForm(forms.Form):
    tex_file = forms.FileField(label=_("LaTeX source (.tex)"))
    zip_file = forms.FileField(label=_("Figures and bibliography (.zip, optional)"), required=False)
    pdf_file = forms.FileField(label=_("Compiled PDF (optional)"), required=False)

    def clean_tex_file(self) -> Any:
        f = self.cleaned_data["tex_file"]
        validate_upload(f, "tex")
        return f

    def clean_zip_file(self) -> Any:
        f = self.cleaned_data.get("zip_file")
        if f:
            validate_upload(f, "zip")
        return f

    def clean_pdf_file(self) -> Any:
        f = self.cleaned_data.get("pdf_file")
        if f:
            validate_upload(f, "pdf")
        return f


class UnavailableForm(forms.Form):
    date = forms.DateField(
        label=_("Date I cannot scribe"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ExtensionRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    requested_due_at = forms.DateTimeField(
        label=_("New due date you ask for (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
