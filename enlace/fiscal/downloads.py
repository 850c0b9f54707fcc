"""The files of an NFCom as HTTP answers, shared by the staff screens, the API and the subscriber
portal: the XML (``nfcomProc`` when authorised — the legal file —, else the signed NFCom) and the
DANFE-COM PDF."""

from django.http import HttpResponse

from . import danfe
from .models import FiscalDocument


def xml_response(document: FiscalDocument) -> HttpResponse:
    response = HttpResponse(bytes(document.proc_xml or document.xml), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="NFCom-{document.key}.xml"'
    return response


def pdf_response(document: FiscalDocument) -> HttpResponse:
    response = HttpResponse(
        danfe.render(document, pix_payload=document.invoice.pix_payload), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="DANFE-COM-{document.key}.pdf"'
    return response
