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


SYLLABUS_MAX_BYTES = 1024 * 1024


class SyllabusUploadForm(forms.Form):
    file = forms.FileField(label=_("Syllabus file (YAML)"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > SYLLABUS_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB; is it really a syllabus?"))
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The syllabus must be UTF-8 text.")) from exc


class SyllabusApplyForm(forms.Form):
    """The second step: the previewed file sent back, and the instructor's confirmation."""

    text = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=SYLLABUS_MAX_BYTES)
    confirm = forms.BooleanField(
        label=_("Apply the changes to work that students have done"), required=False
    )

    def clean_text(self) -> str:
        # Browsers send the hidden field's line ends as CRLF.
        return self.cleaned_data["text"].replace("\r\n", "\n")
