"""What keeps anything but a customer's document out of storage (SPEC AR-1: size and type limits
enforced with a clear error). An upload is checked before a byte reaches storage:

- size: at most ``CustomerSettings.files_max_size_mb`` megabytes (default 20);
- type, by content (never by name): PDF, JPEG, PNG, WebP, DOCX, XLSX, ODT or plain text.
  Executables (ELF, Windows "MZ", Mach-O, scripts starting with ``#!``) are refused whatever they
  are called; DOCX/XLSX/ODT are ZIP containers whose inner structure is checked
  (``[Content_Types].xml`` with ``word/`` or ``xl/``; ODT's ``mimetype`` entry) without reading
  any member whole — an archive declaring absurd sizes (``ZIP_MAX_UNCOMPRESSED``,
  ``ZIP_MAX_MEMBERS``) is refused; text must be UTF-8 or Latin-1 without NUL or other control
  bytes, and is accepted as text even when it starts with a weak signature ("BM", "MZ").

A refused file raises ``ValidationError({"file": [...]})``.
"""

from __future__ import annotations

import zipfile

import filetype
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..models import CustomerSettings, safe_file_name

#: Allowed content types and the extension each is stored with.
ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "text/plain": "txt",
}
ALLOWED_LABEL = "PDF, JPG, PNG, WebP, DOCX, XLSX, ODT, TXT"
#: Signatures of programs that text never starts with: refused at once.
EXECUTABLE_MAGIC = (
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
#: Windows programs start with "MZ" — and so can a note ("MZ 3 de março ..."): a file starting
#: with it is a program only when it is not text.
WEAK_EXECUTABLE_MAGIC = b"MZ"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
#: ZIP containers: an archive declaring more members or more uncompressed bytes than these is
#: refused (a "ZIP bomb"); no member is ever read whole, only its first ``ZIP_MEMBER_READ`` bytes.
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_UNCOMPRESSED = 512 * 1024 * 1024
ZIP_MEMBER_READ = 256
#: Control bytes that never appear in a text document (tab, LF, FF and CR are allowed).
CONTROL_BYTES = set(range(0, 9)) | {11} | set(range(14, 32)) | {127}
HEAD = 8192
CHUNK = 1 << 20


def max_size_bytes() -> int:
    return CustomerSettings.load().files_max_size_mb * 1024 * 1024


def _refuse(message) -> ValidationError:
    return ValidationError({"file": [message]}, code="invalid_file")


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD)
    upload.seek(0)
    return head


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int = ZIP_MEMBER_READ) -> bytes:
    """At most ``limit`` bytes of a member, never more whatever the member declares."""
    with archive.open(info) as member:
        return member.read(limit)


def _office_type(upload) -> str | None:
    """The OOXML/ODF type of a ZIP upload by its inner structure, or None. An archive whose
    declared sizes are absurd is refused (``ValidationError``)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_MEMBERS or sum(i.file_size for i in infos) > ZIP_MAX_UNCOMPRESSED:
                raise _refuse(
                    _(
                        "The archive declares more content than a document has (a “ZIP bomb”?); it was not stored."
                    )
                )
            names = {info.filename: info for info in infos}
            mimetype = names.get("mimetype")
            if (
                mimetype is not None
                and mimetype.file_size <= ZIP_MEMBER_READ
                and _read_member(archive, mimetype).strip() == ODT_MIMETYPE
            ):
                return "application/vnd.oasis.opendocument.text"
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                if any(n.startswith("xl/") for n in names):
                    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def _is_text(upload) -> bool:
    """UTF-8 (or else Latin-1) text without NUL or other control bytes."""
    upload.seek(0)
    data = b"".join(iter(lambda: upload.read(CHUNK), b""))
    upload.seek(0)
    if not data or CONTROL_BYTES & set(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # Latin-1 decodes every byte; C1 controls (0x80–0x9F) mean it is not Latin-1 text
        return not any(0x80 <= b <= 0x9F for b in data)
    return True


def sniff(upload) -> str:
    """The content type of ``upload`` when it is an allowed one; ``ValidationError`` on ``file``
    otherwise."""
    head = _read_head(upload)
    refused = _("The file’s content is not an allowed type (%(allowed)s); it was not stored.") % {
        "allowed": ALLOWED_LABEL
    }
    if not head:
        raise _refuse(_("The file is empty."))
    program = _("The file is a program (executable), whatever its name says; it was not stored.")
    if head.startswith(EXECUTABLE_MAGIC):
        raise _refuse(program)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in ("application/pdf", "image/jpeg", "image/png", "image/webp"):
        return mime
    if head.startswith(b"PK\x03\x04"):
        office = _office_type(upload)
        if office:
            return office
        raise _refuse(refused)
    # Text whatever a weak signature says: "BM" (bitmap), "MZ" (Windows program) and the like
    # are two or three letters a note can start with; a real one has control or NUL bytes.
    if _is_text(upload):
        return "text/plain"
    if head.startswith(WEAK_EXECUTABLE_MAGIC):
        raise _refuse(program)
    raise _refuse(refused)


def check_upload(upload) -> str:
    """Size, then type. Returns the sniffed content type."""
    if upload is None:
        raise _refuse(_("Choose the file."))
    limit = max_size_bytes()
    if upload.size > limit:
        raise _refuse(
            _("The file has %(size)s MB; the maximum is %(max)s MB. It was not stored.")
            % {"size": number_format(upload.size / 1024 / 1024, 1), "max": limit // (1024 * 1024)}
        )
    return sniff(upload)


def stored_name(original: str, content_type: str) -> str:
    """The sanitised name with the extension of what the content is."""
    stem = safe_file_name(original).rsplit(".", 1)[0]
    return f"{stem}.{ALLOWED[content_type]}"
