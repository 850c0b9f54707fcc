"""Writers of the customer's files ("Arquivos", SPEC AR-1: files are uploaded with a description
that can be edited later): upload with a description, edit the description, delete.

Every check of ``checks.check_upload`` (size, type by content) runs before storage is touched; a
refused file raises ``ValidationError({"file": [...]})`` and nothing is stored. The stored name
is ``customers/<customer id>/<random>-<sanitised name>`` (``models.customer_file_path``). A deleted
record's content is removed from storage after the transaction commits.
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.scope import can_use_branch
from enlace.core.services import object_delete, object_save, operator_of
from enlace.core.types import Actor

from ..models import CustomerFile
from .checks import check_upload, stored_name


def customer_file_create(*, actor: Actor, customer, description: str, upload) -> CustomerFile:
    """Store ``upload`` as a file of ``customer`` (AR-1). Every check runs before storage is
    touched; if the database then refuses the row, the stored content is removed again."""
    description = description if description is not None else ""
    if not str(description).strip():
        raise ValidationError({"description": [_("Describe the file.")]})
    if actor is not None and not can_use_branch(actor, customer.branch_id):
        raise ApplicationError(_("You cannot use this branch."), code="branch_scope", field="customer")
    content_type = check_upload(upload)
    original = str(upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "file"
    record = CustomerFile(
        customer=customer,
        description=description,
        original_name=original,
        size=upload.size,
        content_type=content_type,
        uploaded_by=operator_of(actor),
    )
    record.full_clean(exclude=["file"])  # every field but the content, before storage is touched
    upload.seek(0)
    record.file.save(stored_name(original, content_type), upload, save=False)
    name = cast(str, record.file.name)  # set by the save above
    try:
        with transaction.atomic():
            object_save(record, actor=actor)
    except BaseException:
        record.file.storage.delete(name)
        raise
    return record


def customer_file_update(*, actor: Actor, file: CustomerFile, description: str) -> CustomerFile:
    """Change the description (the content is never replaced: upload a new file)."""
    file.description = description
    return object_save(file, actor=actor)


def customer_file_delete(*, actor: Actor, file: CustomerFile) -> None:
    """Delete the record; its content leaves storage once the deletion is committed."""
    storage, name = file.file.storage, cast(str, file.file.name)  # the column is required
    with transaction.atomic():
        object_delete(file, actor=actor)
        transaction.on_commit(lambda: storage.delete(name))
