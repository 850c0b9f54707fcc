"""The customer's files ("Arquivos", SPEC AR-1): allowed types by content, size limit from the
parameter, nothing stored on refusal, sanitised names, download as attachment within branch scope
(another branch's file is 404), description edit, delete removing the content — through the
service, the screens and the API. Uploads go to a temporary MEDIA_ROOT."""

import io
import os
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from enlace.core.models import ObjectChange
from enlace.customers.files import checks, services
from enlace.customers.models import CustomerFile, CustomerSettings, safe_file_name

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored(media) -> list[str]:
    """Every file under the storage folder."""
    return [os.path.join(root, name) for root, _dirs, names in os.walk(media) for name in names]


def image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def create(user, customer, name="rg.pdf", data=PDF, description="RG do titular"):
    return services.customer_file_create(
        actor=user, customer=customer, description=description, upload=upload(name, data)
    )


# --- Types and sizes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("contrato.pdf", PDF, "application/pdf"),
        ("foto.jpg", image("JPEG"), "image/jpeg"),
        ("foto.png", image("PNG"), "image/png"),
        ("foto.webp", image("WEBP"), "image/webp"),
        ("proposta.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("planilha.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("termo.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("nota.txt", "Observação: cliente pediu visita à tarde.\n".encode(), "text/plain"),
        ("latin1.txt", "Instalação concluída\r\n".encode("latin-1"), "text/plain"),
    ],
)
def test_allowed_types_are_stored_by_content(admin_user, customer, media, name, data, content_type):
    record = create(admin_user, customer, name=name, data=data)
    assert record.content_type == content_type
    assert record.size == len(data)
    assert record.uploaded_by == admin_user
    assert record.file.name.startswith(f"customers/{customer.pk}/")
    assert len(stored(media)) == 1
    with record.file.open("rb") as handle:
        assert handle.read() == data


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("boleto.pdf", ELF),  # a Linux executable called .pdf
        ("contrato.pdf", PE),  # a Windows executable called .pdf
        ("script.txt", b"#!/bin/sh\nrm -rf /\n"),
        ("nota.txt", b"abc\x00def"),  # NUL byte: not text
        ("arquivo.zip", zipped({"a.txt": b"x"})),  # a plain ZIP
        ("falso.docx", zipped({"[Content_Types].xml": b"<Types/>", "other/x.xml": b""})),  # no word/
        ("falso.odt", zipped({"mimetype": b"application/zip"})),
        ("imagem.gif", b"GIF89a" + b"\x00" * 50),  # an image type not allowed
        ("vazio.pdf", b""),
    ],
)
def test_refused_contents_store_nothing(admin_user, customer, media, name, data):
    with pytest.raises(ValidationError) as exc:
        create(admin_user, customer, name=name, data=data)
    assert "file" in exc.value.message_dict
    assert stored(media) == []
    assert not CustomerFile.objects.exists()


def test_executable_renamed_pdf_message(admin_user, customer):
    with pytest.raises(ValidationError) as exc:
        create(admin_user, customer, name="fatura.pdf", data=PE)
    assert "executável" in exc.value.message_dict["file"][0]


def test_size_limit_comes_from_the_parameter(admin_user, customer, media):
    CustomerSettings.objects.filter(pk=1).update(files_max_size_mb=1)
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        create(admin_user, customer, data=big)
    assert "1,0 MB; o máximo é 1 MB" in exc.value.message_dict["file"][0]
    assert stored(media) == []


def test_description_is_required_and_nothing_is_stored(admin_user, customer, media):
    for description in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            create(admin_user, customer, description=description)
        assert "description" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        create(admin_user, customer, description=" RG")  # G-2: edge spaces
    assert "description" in exc.value.message_dict
    assert stored(media) == []


def test_names_are_sanitised_and_unique(admin_user, customer):
    first = create(admin_user, customer, name="../../Cópia do RG (frente).PDF")
    second = create(admin_user, customer, name="../../Cópia do RG (frente).PDF")
    assert first.file.name != second.file.name
    assert first.file.name.endswith("-Copia_do_RG_frente.pdf")
    assert ".." not in first.file.name
    assert first.original_name == "Cópia do RG (frente).PDF"
    assert safe_file_name("") == "file"
    assert safe_file_name("a/b\\c:d*?.exe ") == "c_d.exe"


def test_stored_extension_follows_the_content(admin_user, customer):
    record = create(admin_user, customer, name="foto.pdf", data=image("PNG"))
    assert record.content_type == "image/png"
    assert record.file.name.endswith("-foto.png")


# --- Screens ----------------------------------------------------------------------------------


def test_tab_lists_the_files(operator_a_web, admin_user, customer):
    create(admin_user, customer, description="Contrato assinado")
    response = operator_a_web.get(f"/customers/{customer.pk}/tab/files/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Contrato assinado" in body and 'id="upload-file"' in body


def test_upload_through_the_form(operator_a_web, customer, media):
    response = operator_a_web.post(
        f"/customers/{customer.pk}/files/add/",
        {"description": "Comprovante de endereço", "file": upload("conta.pdf", PDF)},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?tab=files")
    record = CustomerFile.objects.get()
    assert record.description == "Comprovante de endereço"
    assert len(stored(media)) == 1


def test_form_refuses_renamed_executable_with_a_message(operator_a_web, customer, media):
    response = operator_a_web.post(
        f"/customers/{customer.pk}/files/add/", {"description": "Boleto", "file": upload("boleto.pdf", ELF)}
    )
    assert response.status_code == 200
    assert "executável" in response.content.decode()
    assert stored(media) == []


def test_form_refuses_a_25_mb_file_when_the_limit_is_20(operator_a_web, customer, media, tmp_path):
    assert CustomerSettings.load().files_max_size_mb == 20
    path = tmp_path / "grande.pdf"
    with open(path, "wb") as out:
        out.write(PDF)
        out.truncate(25 * 1024 * 1024)
    with open(path, "rb") as handle:
        response = operator_a_web.post(
            f"/customers/{customer.pk}/files/add/", {"description": "Vídeo da instalação", "file": handle}
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert "O arquivo tem 25,0 MB; o máximo é 20 MB" in body
    assert 'id="div_file"' in body and "field-error" in body
    assert stored(media) == []
    assert not CustomerFile.objects.exists()


def test_download_is_an_attachment(operator_a_web, admin_user, customer):
    record = create(admin_user, customer, name="Contrato Fibra.pdf")
    response = operator_a_web.get(f"/customers/files/{record.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="Contrato_Fibra.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_other_branch_file_is_404(operator_a_web, admin_user, customer_b):
    record = create(admin_user, customer_b)
    for url in (
        f"/customers/files/{record.pk}/download/",
        f"/customers/files/{record.pk}/",
        f"/customers/files/{record.pk}/edit/",
        f"/customers/files/{record.pk}/delete/",
        f"/customers/{customer_b.pk}/tab/files/",
        f"/customers/{customer_b.pk}/files/add/",
    ):
        assert operator_a_web.get(url, HTTP_HX_REQUEST="true").status_code == 404, url


def test_without_permission_is_403(noperm_web, admin_user, customer):
    record = create(admin_user, customer)
    assert noperm_web.get(f"/customers/files/{record.pk}/download/").status_code == 403


def test_edit_description_in_the_form(operator_a_web, admin_user, customer):
    record = create(admin_user, customer)
    response = operator_a_web.post(f"/customers/files/{record.pk}/edit/", {"description": "RG e CPF"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.description == "RG e CPF"
    response = operator_a_web.post(f"/customers/files/{record.pk}/edit/", {"description": ""})
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.description == "RG e CPF"


def test_delete_removes_the_content_from_storage(
    operator_a_web, admin_user, customer, media, django_capture_on_commit_callbacks
):
    record = create(admin_user, customer)
    assert len(stored(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_a_web.post(f"/customers/files/{record.pk}/delete/")
    assert response.status_code == 302
    assert not CustomerFile.objects.exists()
    assert stored(media) == []
    assert ObjectChange.objects.filter(action="delete", object_id=str(record.pk)).exists()


# --- API --------------------------------------------------------------------------------------


def test_api_upload_read_patch_download_delete(
    operator_a_api, customer, media, django_capture_on_commit_callbacks
):
    response = operator_a_api.post(
        "/api/v1/files/",
        {"customer": customer.pk, "description": "Contrato", "file": upload("contrato.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"id", "customer", "description", "file", "size", "content_type", "uploaded_at"} <= set(body)
    assert body["size"] == len(PDF) and body["content_type"] == "application/pdf"
    assert body["file"].endswith(f"/api/v1/files/{body['id']}/download/")
    pk = body["id"]

    response = operator_a_api.patch(
        f"/api/v1/files/{pk}/", {"description": "Contrato assinado"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["description"] == "Contrato assinado"
    assert response.json()["content_type"] == "application/pdf"

    response = operator_a_api.patch(f"/api/v1/files/{pk}/", {"description": " x"}, format="json")
    assert response.status_code == 400 and "description" in response.json()

    response = operator_a_api.get(f"/api/v1/files/{pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF

    assert operator_a_api.get(f"/api/v1/files/?customer={customer.pk}").json()["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert operator_a_api.delete(f"/api/v1/files/{pk}/").status_code == 204
    assert stored(media) == []


def test_api_refuses_renamed_executable_and_stores_nothing(operator_a_api, customer, media):
    response = operator_a_api.post(
        "/api/v1/files/",
        {"customer": customer.pk, "description": "Fatura", "file": upload("fatura.pdf", PE)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert stored(media) == []


def test_api_refuses_replacing_the_content(operator_a_api, admin_user, customer):
    record = create(admin_user, customer)
    response = operator_a_api.patch(
        f"/api/v1/files/{record.pk}/", {"file": upload("x.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 400
    assert operator_a_api.put(f"/api/v1/files/{record.pk}/", {}, format="json").status_code == 405


def test_api_other_branch_is_404(operator_a_api, admin_user, customer, customer_b):
    record = create(admin_user, customer_b)
    assert operator_a_api.get(f"/api/v1/files/{record.pk}/").status_code == 404
    assert operator_a_api.get(f"/api/v1/files/{record.pk}/download/").status_code == 404
    assert operator_a_api.get("/api/v1/files/").json()["count"] == 0
    response = operator_a_api.post(
        "/api/v1/files/",
        {"customer": customer_b.pk, "description": "x", "file": upload("a.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 400 and "customer" in response.json()


# --- ZIP bombs and weak signatures -------------------------------------------------------------


def zeros_zip(name: str, megabytes: int, extra: dict[str, bytes] | None = None) -> bytes:
    """A small archive whose member ``name`` inflates to ``megabytes`` MB of NUL bytes, written in
    1 MB chunks so that building it allocates little."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry, data in (extra or {}).items():
            archive.writestr(entry, data)
        chunk = b"\x00" * (1024 * 1024)
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            for _n in range(megabytes):
                member.write(chunk)
    return out.getvalue()


def sniff_peak(data: bytes, name: str = "a.odt"):
    """(the sniffed type or the refusal, the peak of memory allocated while sniffing)."""
    tracemalloc.start()
    try:
        result = checks.sniff(SimpleUploadedFile(name, data))
    except ValidationError as exc:
        result = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, peak


def test_zip_bomb_mimetype_is_not_read_whole(settings):
    bomb = zeros_zip("mimetype", 64, extra={"[Content_Types].xml": b"<Types/>"})
    assert len(bomb) < 200 * 1024  # tiny upload, 64 MB declared
    result, peak = sniff_peak(bomb)
    assert isinstance(result, ValidationError) and "file" in result.message_dict
    assert peak < 4 * 1024 * 1024, f"sniffing allocated {peak / 1e6:.1f} MB"


def test_zip_bomb_in_a_docx_member_is_not_read(settings):
    bomb = zeros_zip(
        "word/document.xml", 64, extra={"[Content_Types].xml": b"<Types/>", "mimetype": b"x" * 100}
    )
    result, peak = sniff_peak(bomb, "a.docx")
    assert result == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert peak < 4 * 1024 * 1024, f"sniffing allocated {peak / 1e6:.1f} MB"


def test_archive_declaring_absurd_sizes_is_refused(admin_user, customer, media, monkeypatch):
    monkeypatch.setattr(checks, "ZIP_MAX_UNCOMPRESSED", 2 * 1024 * 1024)
    bomb = zeros_zip("word/document.xml", 3, extra={"[Content_Types].xml": b"<Types/>"})
    with pytest.raises(ValidationError) as exc:
        create(admin_user, customer, name="proposta.docx", data=bomb)
    assert "ZIP" in exc.value.message_dict["file"][0]
    assert stored(media) == [] and not CustomerFile.objects.exists()


def test_archive_with_too_many_members_is_refused(admin_user, customer, monkeypatch):
    monkeypatch.setattr(checks, "ZIP_MAX_MEMBERS", 3)
    data = zipped({"[Content_Types].xml": b"<Types/>", **{f"word/{n}.xml": b"<x/>" for n in range(3)}})
    with pytest.raises(ValidationError) as exc:
        create(admin_user, customer, name="proposta.docx", data=data)
    assert "ZIP" in exc.value.message_dict["file"][0]


def test_odt_mimetype_entry_of_odd_size_is_not_odt(admin_user, customer):
    data = zipped({"mimetype": ODT_MIMETYPE_PADDED, "content.xml": b"<office/>"})
    with pytest.raises(ValidationError):
        create(admin_user, customer, name="termo.odt", data=data)


ODT_MIMETYPE_PADDED = b"application/vnd.oasis.opendocument.text" + b" " * 1000


@pytest.mark.parametrize(
    "text",
    [
        b"BMW do cliente na garagem\n",  # "BM": a bitmap's signature
        "MZ Telecom: visita às 14h\n".encode(),  # "MZ": a Windows program's signature
        "MZ Telecom: visita às 14h\n".encode("latin-1"),
    ],
)
def test_text_starting_with_a_weak_signature_is_text(admin_user, customer, text):
    record = create(admin_user, customer, name="nota.txt", data=text)
    assert record.content_type == "text/plain" and record.file.name.endswith(".txt")


def test_windows_program_is_still_refused_as_a_program(admin_user, customer):
    with pytest.raises(ValidationError) as exc:
        create(admin_user, customer, name="nota.txt", data=b"MZ\x90\x00" + b"This program" * 10)
    assert "executável" in exc.value.message_dict["file"][0]
