from django import forms
from django.utils.translation import gettext_lazy as _


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Participants file (CSV)"),
        help_text=_("The LMS participants export: name, e-mail, student id and role columns."),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB; is it really a roster?"))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("The file is not text (CSV in UTF-8 or Windows-1252)."))


class SyllabusUploadForm(forms.Form):
    file = forms.FileField(label=_("Syllabus file (YAML)"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The syllabus must be UTF-8 text.")) from exc
