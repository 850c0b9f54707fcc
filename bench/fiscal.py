#!/usr/bin/env python
"""NFCom benchmark (`make bench`, docs/bench.md): build + XSD-validate + sign N NFCom on every CPU
(multiprocessing, bounded memory: each worker keeps only the document at hand), then the
transmission throughput against the SEFAZ stand-in (tests/helpers/sefaz.py) with concurrent
requests. No database: the cores of ``enlace.fiscal.nfcom`` only.

Usage: ``python bench/fiscal.py [-n 100000] [--workers 2] [--send 200] [--concurrency 8]``.
Goal (issue 17): 100,000 documents in at most 120 s on the 2-core machine.
"""

import argparse
import datetime
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from multiprocessing import Pool
from pathlib import Path
from zoneinfo import ZoneInfo

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from enlace.fiscal.nfcom import build, certificates, keys, sefaz, signing  # noqa: E402
from tests.helpers.a1 import TestCA  # noqa: E402

CNPJ = "11222333000181"
_cert = None


def document(number: int) -> build.Document:
    addr = build.Address(
        street="Av. Paulista",
        number="1000",
        district="Bela Vista",
        city_code="3550308",
        city_name="Sao Paulo",
        cep="01310100",
        uf="SP",
    )
    taxes = build.Taxes(
        icms_rate=Decimal("18"),
        pis_rate=Decimal("0.65"),
        cofins_rate=Decimal("3"),
        fust_rate=Decimal("1"),
        funttel_rate=Decimal("0.5"),
        ibs_cbs=True,
    )
    return build.Document(
        uf_code=35,
        environment=2,
        series=1,
        number=number,
        code=keys.random_code(CNPJ, 1, number),
        issued_at=datetime.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo")),
        city_code="3550308",
        emitter_cnpj=CNPJ,
        emitter_ie="123456789012",
        emitter_crt="3",
        emitter_name="Enlace Telecom Ltda",
        emitter_address=addr,
        recipient_name=f"Assinante {number}",
        recipient_document="52998224725",
        recipient_ie_indicator="9",
        recipient_address=addr,
        subscriber_code=str(number),
        subscriber_type="3",
        service_type="4",
        contract_number=str(number),
        contract_start=datetime.date(2026, 1, 1),
        items=[
            build.Item(
                code="1",
                description="Fibra 500 01/12/2026-31/12/2026",
                cclass="0100401",
                cfop="5307",
                unit_value=Decimal("99.90"),
                taxes=taxes,
            )
        ],
        competence="202612",
        due_date=datetime.date(2026, 12, 10),
        barcode_line="75691306901001234560000012345678912340000009990",
    )


def _init(p12: bytes):
    global _cert
    _cert = certificates.load(p12, "senha")


def _work(numbers: range) -> int:
    for n in numbers:
        xml, _key = build.build(document(n))
        if build.validate(xml, signed=False):
            raise SystemExit(f"document {n} does not validate")
        signing.sign(xml, _cert)
    return len(numbers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--send", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    ca = TestCA()
    p12 = ca.a1(CNPJ)
    rows = []
    chunk = 250
    batches = [range(i, min(i + chunk, args.n + 1)) for i in range(1, args.n + 1, chunk)]
    start = time.perf_counter()
    with (
        Pool(args.workers, initializer=_init, initargs=(p12,)) as pool,
        tqdm(total=args.n, unit="NFCom") as bar,
    ):
        for done in pool.imap_unordered(_work, batches):
            bar.update(done)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows.append(
        (f"build+validate+sign ({args.workers} processes)", args.n, seconds, f"max worker RSS {rss:.0f} MB")
    )

    if args.send:
        from tests.helpers.sefaz import StandIn

        with tempfile.TemporaryDirectory() as tmp:
            standin = StandIn(ca, Path(tmp))
            cert = certificates.load(p12, "senha")
            docs = [signing.sign(build.build(document(n))[0], cert) for n in range(1, args.send + 1)]
            client = sefaz.Client(
                base_url=standin.url, uf_code=35, certificate=cert, cafile=str(standin.ca_file)
            )
            start = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                answers = list(tqdm(pool.map(client.authorise, docs), total=len(docs), unit="sent"))
            seconds_send = time.perf_counter() - start
            standin.stop()
        ok = sum(a.status == "100" for a in answers)
        rows.append(
            (
                f"transmit to stand-in ({args.concurrency} concurrent)",
                args.send,
                seconds_send,
                f"{ok} authorised",
            )
        )

    print()
    print(f"{'benchmark':<48} {'n':>8} {'seconds':>9} {'per second':>11}  note")
    for name, n, secs, note in rows:
        print(f"{name:<48} {n:>8} {secs:>9.2f} {n / secs:>11.1f}  {note}")
    print(
        "\nGoal: 100,000 NFCom built, validated and signed in <= 120 s on 2 cores (figures on this machine)."
    )


if __name__ == "__main__":
    main()
