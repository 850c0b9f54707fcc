"""The access key's modulo-11 check digit, numeric and alphanumeric CNPJ."""

from enlace.fiscal.nfcom import keys


def test_check_digit_of_the_published_sample():
    # nfelib's NFCom sample (MOC layout 1.00): the key ends in 5
    assert keys.check_digit("4125030611747300015062001000000123101234567") == 5
    assert keys.is_valid_key("41250306117473000150620010000001231012345675")
    assert not keys.is_valid_key("41250306117473000150620010000001231012345674")


def test_alphanumeric_cnpj_counts_letters_as_ascii_minus_48():
    key = keys.access_key(
        uf_code=35,
        year=2026,
        month=12,
        cnpj="12ABC34501DE35",
        series=1,
        number=7,
        emission_type=1,
        code="1234567",
    )
    assert len(key) == 44 and key[6:20] == "12ABC34501DE35"
    body = key[:43]
    total = sum((ord(ch) - 48) * (2 + i % 8) for i, ch in enumerate(reversed(body)))
    assert int(key[43]) == (0 if total % 11 < 2 else 11 - total % 11)
    assert keys.is_valid_key(key)


def test_keys_of_many_numbers_are_valid():
    for n in range(1, 400):
        key = keys.access_key(
            uf_code=43,
            year=2026,
            month=1,
            cnpj="11222333000181",
            series=2,
            number=n,
            emission_type=1,
            code=keys.random_code("11222333000181", 2, n),
        )
        assert keys.is_valid_key(key)
        assert key[35:42] != f"{n:07d}"  # cNF differs from the number
