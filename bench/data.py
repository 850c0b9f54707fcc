"""Data shared by the benchmark scripts."""


def bench_cpf(i: int) -> str:
    """A valid, distinct CPF for bench record ``i`` (check digits of the Receita Federal rule)."""
    base = f"{(i * 7919 + 100000007) % 10**9:09d}"
    total = sum(int(d) * w for d, w in zip(base, range(10, 1, -1), strict=True))
    d1 = (total * 10 % 11) % 10
    total = sum(int(d) * w for d, w in zip(base + str(d1), range(11, 1, -1), strict=True))
    return base + str(d1) + str((total * 10 % 11) % 10)


#: The Sicoob CNAB 240 wallet the benchmarks bill through (valid agency, account and convênio):
#: ``Wallet.objects.create(name=…, branch=…, **SICOOB_WALLET)``.
SICOOB_WALLET = {
    "bank_code": "756",
    "agency": "3069",
    "account": "12345",
    "account_digit": "6",
    "carteira": "1",
    "convenio": "123456",
    "cnab_layout": "240",
}
