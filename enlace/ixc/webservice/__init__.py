"""The IXC-compatible webservice at ``/webservice/v1/`` (docs/ixc.md): integrations written for IXC
Provedor's REST "webservice v1" keep working against Enlace.

- ``auth``: ``Authorization: Basic base64("<operator id>:<token>")`` with the operator's webservice
  token; the operator's roles (model permissions) and branch scope apply to every table;
- ``tables``: each IXC table as a view of Enlace's models — IXC's column names and codes, every
  value a string — with the filters (``qtype``/``oper``/``grid_param``) translated to the ORM;
- ``views``: listing (``ixcsoft: listar``, streamed), insert/PUT/DELETE through Enlace's services,
  and the actions (``get_boleto``, ``get_pix``, ``desbloqueio_confianca``, ``radusuarios_desconectar``).
"""
