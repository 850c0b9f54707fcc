"""The customer's files ("Arquivos", SPEC AR-1; docs/files.md): ``checks`` (size and type by
content, before anything is stored), ``services`` (upload, edit the description, delete),
``forms``, ``views`` (the customer page's tab, upload, download through the branch scope) and
``api`` (``/api/v1/files/``)."""
