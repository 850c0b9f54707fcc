"""Data shared by the benchmark scripts."""


def bench_cpf(i: int) -> str:
    """A valid, distinct CPF for bench record ``i`` (check digits of the Receita Federal rule)."""
    base = f"{(i * 7919 + 100000007) % 10**9:09d}"
    total = sum(int(d) * w for d, w in zip(base, range(10, 1, -1), strict=True))
    d1 = (total * 10 % 11) % 10
    total = sum(int(d) * w for d, w in zip(base + str(d1), range(11, 1, -1), strict=True))
    return base + str(d1) + str((total * 10 % 11) % 10)
