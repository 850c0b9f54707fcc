"""Words that agree with a record's grammatical gender (pt-BR: "Nova venda", "Venda 3 salva.").

Each model states the gender of its verbose name in the default language as the class attribute
``grammatical_gender`` (``FEMININE`` or ``MASCULINE``; a model that states none is masculine). The
sentences below are translated with that gender as the message context (``pgettext``), so the
catalog holds one pt-BR sentence per gender: "Novo cliente" / "Nova venda", "salvo" / "salva".
"""

from django.utils.translation import pgettext

MASCULINE = "masculine"
FEMININE = "feminine"


def gender_of(model_or_obj) -> str:
    """The grammatical gender of a model's (or a record's model's) verbose name."""
    return getattr(model_or_obj, "grammatical_gender", MASCULINE)


def new_title(model, verbose_name=None) -> str:
    """The title of an add page: "Novo contrato", "Nova ordem de serviço"."""
    name = verbose_name if verbose_name is not None else model._meta.verbose_name
    if gender_of(model) == FEMININE:
        return pgettext("feminine", "New %(verbose_name)s") % {"verbose_name": name}
    return pgettext("masculine", "New %(verbose_name)s") % {"verbose_name": name}


def saved_message(obj) -> str:
    """The flash message after a record is saved: "Contrato 12 salvo.", "Venda 3 salva."."""
    if gender_of(obj) == FEMININE:
        return pgettext("feminine", "%(object)s saved.") % {"object": obj}
    return pgettext("masculine", "%(object)s saved.") % {"object": obj}


def deleted_message(obj, label=None) -> str:
    """The flash message after a record is deleted; ``label`` names it (it is gone already)."""
    label = label if label is not None else str(obj)
    if gender_of(obj) == FEMININE:
        return pgettext("feminine", "%(object)s deleted.") % {"object": label}
    return pgettext("masculine", "%(object)s deleted.") % {"object": label}
