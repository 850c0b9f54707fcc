"""A stand-in for a running IXC's webservice, on a free loopback port: it speaks IXC's listing
protocol (Basic "<id>:<token>", ``ixcsoft: listar``, JSON body with qtype/query/oper/page/rp/
sortname/sortorder; answer ``{"page", "total", "registros"}`` with every value a string) and
serves the rows of the IXC-shaped MariaDB database the MariaDB tests load."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from enlace.ixc.importer.sources import as_text

OPERATORS = {"=": "=", "!=": "<>", ">": ">", "<": "<", ">=": ">=", "<=": "<=", "L": "LIKE"}


class FakeIxc:
    def __init__(self, mariadb, database: str, *, user_id="7", token="f" * 64):
        self.mariadb, self.database = mariadb, database
        self.credentials = "Basic " + base64.b64encode(f"{user_id}:{token}".encode()).decode()
        self.user_id, self.token = user_id, token
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server's name
                fake.handle(self)

            do_GET = do_POST  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webservice/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, handler, payload: dict, status: int = 200) -> None:
        body = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def handle(self, handler) -> None:
        if handler.headers.get("Authorization") != self.credentials:
            return self._answer(handler, {"type": "error", "message": "Token inválido"}, 401)
        if handler.headers.get("ixcsoft") != "listar":
            return self._answer(handler, {"type": "error", "message": "Só listagem"})
        table = handler.path.rstrip("/").rsplit("/", 1)[-1]
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}")
        self.requests.append({"table": table, **body})
        connection = self.mariadb.connect(self.database)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW TABLES")
                if table not in {row[0] for row in cursor.fetchall()}:
                    return self._answer(handler, {"type": "error", "message": f"Tabela {table} não existe"})
                where, args = "", []
                if body.get("qtype") and body.get("query", "") != "":
                    column = body["qtype"].rsplit(".", 1)[-1]
                    where = f"WHERE `{column}` {OPERATORS[body.get('oper') or '=']} %s"
                    args.append(body["query"])
                sort = (body.get("sortname") or "id").rsplit(".", 1)[-1]
                order = "DESC" if (body.get("sortorder") or "").lower() == "desc" else "ASC"
                page, rp = int(body.get("page") or 1), int(body.get("rp") or 20)
                cursor.execute(f"SELECT COUNT(*) FROM `{table}` {where}", args)  # noqa: S608 - test server
                total = cursor.fetchone()[0]
                cursor.execute(
                    f"SELECT * FROM `{table}` {where} ORDER BY `{sort}` {order} LIMIT %s OFFSET %s",  # noqa: S608
                    [*args, rp, (page - 1) * rp],
                )
                names = [d[0] for d in cursor.description]
                rows = [{n: as_text(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]
        finally:
            connection.close()
        return self._answer(handler, {"page": str(page), "total": str(total), "registros": rows})
