"""Writes of the deadline machinery: grant an extension, ask for one, decide a request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import Course
from .models import Extension, ExtensionRequest


def _generic(target: Any) -> dict[str, Any]:
    """content_type/object_id for an optional model instance the deadline belongs to."""
    if target is None:
        return {}
    from django.contrib.contenttypes.models import ContentType

    return {"content_type": ContentType.objects.get_for_model(target), "object_id": target.pk}


def extension_grant(
    *,
    course: Course,
    target_key: str,
    due_at: datetime,
    student: Any = None,
    granted_by: Any = None,
    reason: str = "",
    target_label: str = "",
    request: ExtensionRequest | None = None,
    target: Any = None,
) -> Extension:
    return Extension.objects.create(
        **_generic(target),
        course=course,
        target_key=target_key,
        target_label=target_label,
        due_at=due_at,
        student=student,
        granted_by=granted_by,
        reason=reason,
        request=request,
    )


def extension_request_create(
    *,
    course: Course,
    student: Any,
    target_key: str,
    reason: str,
    current_due_at: datetime | None = None,
    requested_due_at: datetime | None = None,
    target_label: str = "",
    target: Any = None,
) -> ExtensionRequest:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you need more time.")})
    if (
        requested_due_at is not None
        and current_due_at is not None
        and requested_due_at <= current_due_at
    ):
        raise ValidationError({"requested_due_at": _("Ask for a date after the current due date.")})
    try:
        with transaction.atomic():
            return ExtensionRequest.objects.create(
                **_generic(target),
                course=course,
                student=student,
                target_key=target_key,
                target_label=target_label,
                reason=reason,
                current_due_at=current_due_at,
                requested_due_at=requested_due_at,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"reason": _("You already have a request waiting for an answer for this deadline.")}
        ) from exc


def extension_request_decide(
    *,
    request: ExtensionRequest,
    approve: bool,
    decided_by: Any,
    now: datetime,
    due_at: datetime | None = None,
    note: str = "",
) -> Extension | None:
    """Approve (granting the student an Extension) or decline a pending request; history kept."""
    with transaction.atomic():
        locked = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != ExtensionRequest.Status.PENDING:
            raise ValidationError({"status": _("This request was already decided.")})
        locked.status = (
            ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.DECLINED
        )
        locked.decided_by = decided_by
        locked.decided_at = now
        locked.decision_note = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        request.status = locked.status
        if not approve:
            return None
        new_due = due_at or locked.requested_due_at
        if new_due is None:
            raise ValidationError({"due_at": _("Give the new due date to approve this request.")})
        return extension_grant(
            course=locked.course,
            target_key=locked.target_key,
            target_label=locked.target_label,
            due_at=new_due,
            student=locked.student,
            granted_by=decided_by,
            reason=locked.reason,
            request=locked,
            target=locked.target,
        )
