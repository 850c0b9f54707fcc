"""Renderers of the API beyond DRF's JSON.

``PdfViewMixin`` is the base of every API view that answers a PDF (boleto, receipt, history): the
client may ask for ``Accept: application/pdf`` (or anything else — the body is a PDF whatever it
accepts, so content negotiation never answers 406), and errors are still JSON (a 404 asked for as
``application/pdf`` is a JSON body with ``Content-Type: application/json``).
"""

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response


class PDFRenderer(BaseRenderer):
    """Lets content negotiation accept ``application/pdf``; the views return the PDF bytes in a
    plain ``HttpResponse``, so this renderer never renders data itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PdfViewMixin:
    renderer_classes = [JSONRenderer, PDFRenderer]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), PDFRenderer
        ):
            # an error (DRF Response) asked for as a PDF: answer it as JSON
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
