#!/usr/bin/env python
"""NFCom benchmark (`make bench`, docs/bench.md): build + XSD-validate + sign N NFCom on every CPU
(multiprocessing, bounded memory: each worker keeps only the document at hand), then the
transmission throughput against the SEFAZ stand-in (tests/helpers/sefaz.py) with concurrent
requests. No database: the cores of ``enlace.fiscal.nfcom`` only.

Usage: ``python bench/fiscal.py [-n 100000] [--workers 2] [--chunk 500] [--send 200] [--concurrency 8]
[--no-stages]``. Prints the CPU time per document (per stage on one core, and of the whole run)
next to the wall time: on a shared machine the wall time says little, the CPU time projects.
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

from lxml import etree
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
    build.schema()  # parse the XSD once per worker, not per document


def _work(numbers: range) -> tuple[int, float, int]:
    """Build, validate and sign the documents ``numbers``: (count, CPU seconds, signed bytes)."""
    cpu = time.process_time()
    size = 0
    for n in numbers:
        tree, _key = build.build_tree(document(n))
        if build.validate(tree, signed=False):
            raise SystemExit(f"document {n} does not validate")
        size += len(etree.tostring(signing.sign_tree(tree, _cert), encoding="utf-8"))
    return len(numbers), time.process_time() - cpu, size


def _stages(p12: bytes, n: int = 300) -> list[tuple[str, float]]:
    """CPU milliseconds per document of each stage, in this process (the profile of one core)."""
    _init(p12)
    _work(range(1, 20))  # warm caches (xsdata's metadata, the schema)
    docs = [document(i) for i in range(1, n + 1)]
    cpu = {"data (Document)": 0.0, "bindings (nfelib)": 0.0, "serialise (xsdata events → lxml)": 0.0}
    cpu.update({"XSD validation (lxml)": 0.0, "signature (signxml, RSA-SHA1)": 0.0, "to bytes": 0.0})
    for i, doc in enumerate(docs, start=1):
        t0 = time.process_time()
        document(i)
        t1 = time.process_time()
        nfcom = build.binding(doc)
        t2 = time.process_time()
        tree = build.to_tree(nfcom)
        t3 = time.process_time()
        build.validate(tree, signed=False)
        t4 = time.process_time()
        signed = signing.sign_tree(tree, _cert)
        t5 = time.process_time()
        etree.tostring(signed, encoding="utf-8")
        t6 = time.process_time()
        for name, secs in zip(cpu, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5), strict=True):
            cpu[name] += secs
    return [(name, secs / n * 1000) for name, secs in cpu.items()]


def _batches(n: int, chunk: int):
    for i in range(1, n + 1, chunk):
        yield range(i, min(i + chunk, n + 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--send", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-stages", action="store_true", help="skip the per-stage profile")
    args = parser.parse_args()
    ca = TestCA()
    p12 = ca.a1(CNPJ)
    rows = []
    stages = [] if args.no_stages else _stages(p12)
    start = time.perf_counter()
    cpu = 0.0
    size = 0
    pool = Pool(args.workers, initializer=_init, initargs=(p12,))
    try:
        with tqdm(total=args.n, unit="NFCom") as bar:
            for done, secs, nbytes in pool.imap_unordered(_work, _batches(args.n, args.chunk)):
                cpu += secs
                size += nbytes
                bar.update(done)
        pool.close()
        pool.join()
    finally:
        pool.terminate()
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    per_doc = cpu / args.n * 1000
    rows.append(
        (
            f"build+validate+sign ({args.workers} processes)",
            args.n,
            seconds,
            f"CPU {cpu:.1f} s = {per_doc:.2f} ms/doc; max worker RSS {rss:.0f} MB; "
            f"avg {size / args.n / 1024:.1f} KiB/doc",
        )
    )

    if args.send:
        from tests.helpers.sefaz import StandIn

        with tempfile.TemporaryDirectory() as tmp:
            standin = StandIn(ca, Path(tmp))
            cert = certificates.load(p12, "senha")
            docs = [signing.sign(build.build_tree(document(n))[0], cert) for n in range(1, args.send + 1)]
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
    if stages:
        print(f"\n{'stage (one core)':<40} {'CPU ms/doc':>10}")
        for name, ms in stages:
            print(f"{name:<40} {ms:>10.3f}")
        print(f"{'total':<40} {sum(ms for _n, ms in stages):>10.3f}")
    projection = per_doc * 100_000 / 1000 / max(args.workers, 1)
    print(
        f"\nCPU per document {per_doc:.2f} ms → 100,000 NFCom need {per_doc * 100:.0f} CPU s, "
        f"{projection:.0f} s on {args.workers} free cores (goal: <= 120 s on 2 cores). "
        f"Wall time here: {seconds:.1f} s for {args.n} ({os.getloadavg()[0]:.1f} load average)."
    )


if __name__ == "__main__":
    main()
