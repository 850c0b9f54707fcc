"""CPF/CNPJ (C-3), phones and e-mail lists (K-1…K-3): the validators every path uses."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from enlace.customers.validators import (
    fold,
    format_document,
    format_phone,
    normalize_br_phone,
    normalize_document,
    validate_br_phone,
    validate_email_list,
)

from .conftest import cnpj_check_digits, cpf_check_digits

cpf_bases = st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda s: len(set(s)) > 1)
cnpj_bases = st.text(alphabet="0123456789", min_size=12, max_size=12).filter(lambda s: len(set(s)) > 1)
alnum_cnpj_bases = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=12, max_size=12).filter(
    lambda s: len(set(s)) > 1
)


def _change_one(number: str, index: int, delta: int) -> str:
    digit = int(number[index])
    return number[:index] + str((digit + delta) % 10) + number[index + 1 :]


@settings(max_examples=200, deadline=None)
@given(cpf_bases)
def test_generated_valid_cpfs_are_accepted_with_or_without_mask(base):
    cpf = base + cpf_check_digits(base)
    assert normalize_document("F", cpf) == cpf
    masked = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
    assert normalize_document("F", masked) == cpf
    assert format_document("F", cpf) == masked


@settings(max_examples=200, deadline=None)
@given(cpf_bases, st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=9))
def test_a_cpf_with_one_changed_digit_is_refused(base, index, delta):
    cpf = base + cpf_check_digits(base)
    changed = _change_one(cpf, index, delta)
    if len(set(changed)) == 1:
        return
    if index < 9 and cpf_check_digits(changed[:9]) == changed[9:]:
        # The check digit maps remainders 10 and 0 both to 0, so a few single changes of the base
        # give another valid CPF (e.g. 467.506.406-05 → 567.506.406-05): that is the algorithm.
        assert normalize_document("F", changed) == changed
        return
    with pytest.raises(ValidationError):
        normalize_document("F", changed)


@settings(max_examples=200, deadline=None)
@given(cpf_bases, st.integers(min_value=9, max_value=10), st.integers(min_value=1, max_value=9))
def test_a_cpf_with_a_changed_check_digit_is_always_refused(base, index, delta):
    with pytest.raises(ValidationError):
        normalize_document("F", _change_one(base + cpf_check_digits(base), index, delta))


@settings(max_examples=200, deadline=None)
@given(cnpj_bases)
def test_generated_valid_cnpjs_are_accepted(base):
    cnpj = base + cnpj_check_digits(base)
    assert normalize_document("J", cnpj) == cnpj
    assert normalize_document("J", f"{cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}") == cnpj


@settings(max_examples=200, deadline=None)
@given(cnpj_bases, st.integers(min_value=0, max_value=13), st.integers(min_value=1, max_value=9))
def test_a_cnpj_with_one_changed_digit_is_refused(base, index, delta):
    cnpj = base + cnpj_check_digits(base)
    changed = _change_one(cnpj, index, delta)
    if len(set(changed)) == 1:
        return
    if index < 12 and cnpj_check_digits(changed[:12]) == changed[12:]:
        assert normalize_document("J", changed) == changed  # remainders 0 and 1 both give 0
        return
    with pytest.raises(ValidationError):
        normalize_document("J", changed)


@settings(max_examples=200, deadline=None)
@given(alnum_cnpj_bases)
def test_generated_alphanumeric_cnpjs_are_accepted(base):
    cnpj = base + cnpj_check_digits(base)
    assert normalize_document("J", cnpj) == cnpj
    assert normalize_document("J", cnpj.lower()) == cnpj


@settings(max_examples=200, deadline=None)
@given(alnum_cnpj_bases, st.integers(min_value=12, max_value=13), st.integers(min_value=1, max_value=9))
def test_an_alphanumeric_cnpj_with_a_changed_check_digit_is_refused(base, index, delta):
    cnpj = base + cnpj_check_digits(base)
    with pytest.raises(ValidationError):
        normalize_document("J", _change_one(cnpj, index, delta))


def test_the_example_alphanumeric_cnpj_of_the_issue():
    assert normalize_document("J", "12.ABC.345/01DE-35") == "12ABC34501DE35"
    assert format_document("J", "12ABC34501DE35") == "12.ABC.345/01DE-35"


def test_a_cpf_is_not_a_cnpj():
    with pytest.raises(ValidationError):
        normalize_document("J", "529.982.247-25")


def test_foreigner_documents_are_kept_unvalidated():
    assert normalize_document("E", "ab-123456") == "AB123456"


@pytest.mark.parametrize("value", ["a@x.com", "a@x.com;b@y.com", "nome.sobrenome@provedor.com.br;c@d.org"])
def test_email_lists_accepted(value):
    validate_email_list(value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("a@x.com; b@y.com", " b@y.com"),
        ("a@x.com;", "“;”"),
        ("a@x.com;not-an-email", "not-an-email"),
        ("a@x.com;;b@y.com", "“;”"),
    ],
)
def test_email_lists_refused_saying_which(value, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_email_list(value)
    assert any(fragment in m for m in exc.value.messages)


@pytest.mark.parametrize("value", ["(11) 98888-7777", "11988887777", "+55 11 98888-7777", "(19) 3333-4444"])
def test_brazilian_phones_accepted(value):
    validate_br_phone(value)


@pytest.mark.parametrize(
    "value", ["988887777", "(10) 98888-7777", "(11) 88888-7777", "(11) 9333-4444", "119888877771"]
)
def test_bad_phones_refused(value):
    with pytest.raises(ValidationError):
        validate_br_phone(value)


def test_phone_normalise_and_mask():
    assert normalize_br_phone("+55 (11) 98888-7777") == "11988887777"
    assert format_phone("11988887777") == "(11) 98888-7777"
    assert format_phone("1933334444") == "(19) 3333-4444"


def test_fold_removes_accents_case_and_punctuation():
    assert fold("  JOÃO  da Conceição-Ávila ") == "joao da conceicao avila"
    assert fold("Rua São João, 12") == "rua sao joao 12"
