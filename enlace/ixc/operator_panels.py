"""The ixc app's panel on the operator's page (``core.views.operators.OPERATOR_PANELS``): the
webservice token (docs/ixc.md)."""

from enlace.core.views.operators import OPERATOR_PANELS

OPERATOR_PANELS.append("ixc/operator_panel.html")
