"""The default régua de cobrança (pt-BR), created once when an installation has no rule at all.

It follows Anatel's consumer rules (Res. 765/2023: the subscriber is told before access is
suspended for non-payment, with the date): the boleto by e-mail when the invoice is issued, a
reminder 3 days before the due date, one on the due date, one the day after, the suspension notice
when the contract enters "Financeiro em atraso" (with the date access will be suspended) and the
"pagamento recebido" confirmation. The texts are data the ISP edits (Configurações ➜ Régua de
cobrança), so they are stored in Portuguese rather than translated.
"""

from __future__ import annotations

from .models import Event

_SIGNATURE = "\n\n{{ company_name }}{% if portal_url %}\nCentral do Assinante: {{ portal_url }}{% endif %}"

_PAYMENT_BLOCK = (
    "Valor: {{ invoice_amount }}\nVencimento: {{ due_date }}"
    "{% if digitable_line %}\nLinha digitável: {{ digitable_line }}{% endif %}"
    "{% if pix_code %}\nPIX copia e cola: {{ pix_code }}{% endif %}"
)

DEFAULT_RULES: list[dict] = [
    {
        "name": "Fatura emitida (boleto por e-mail)",
        "event": Event.ISSUED,
        "days": 0,
        "email": True,
        "attach_boleto": True,
        "subject": "{{ company_name }}: sua fatura com vencimento em {{ due_date }}",
        "body_text": "Olá, {{ customer_name }}.\n\nSua fatura foi emitida; o boleto segue anexo.\n\n"
        + _PAYMENT_BLOCK
        + _SIGNATURE,
        "short_text": "{{ company_name }}: fatura de {{ invoice_amount }} vence em {{ due_date }}."
        "{% if pix_code %} PIX: {{ pix_code }}{% endif %}",
    },
    {
        "name": "Lembrete 3 dias antes do vencimento",
        "event": Event.BEFORE_DUE,
        "days": 3,
        "email": True,
        "subject": "{{ company_name }}: sua fatura vence em {{ due_date }}",
        "body_text": "Olá, {{ customer_name }}.\n\nLembramos que sua fatura vence em {{ due_date }}.\n\n"
        + _PAYMENT_BLOCK
        + _SIGNATURE,
        "short_text": "{{ company_name }}: sua fatura de {{ invoice_amount }} vence em {{ due_date }}.",
    },
    {
        "name": "Vencimento hoje",
        "event": Event.DUE_TODAY,
        "days": 0,
        "email": True,
        "sms": True,
        "subject": "{{ company_name }}: sua fatura vence hoje",
        "body_text": "Olá, {{ customer_name }}.\n\nSua fatura vence hoje, {{ due_date }}.\n\n"
        + _PAYMENT_BLOCK
        + _SIGNATURE,
        "short_text": "{{ company_name }}: sua fatura de {{ invoice_amount }} vence hoje."
        "{% if digitable_line %} Linha digitável: {{ digitable_line }}{% endif %}",
    },
    {
        "name": "1 dia em atraso",
        "event": Event.OVERDUE,
        "days": 1,
        "email": True,
        "subject": "{{ company_name }}: fatura em aberto desde {{ due_date }}",
        "body_text": "Olá, {{ customer_name }}.\n\nNão identificamos o pagamento da fatura vencida em "
        "{{ due_date }}. Valor atualizado para pagamento hoje: {{ amount_due }}.\n\n"
        + _PAYMENT_BLOCK
        + "\n\nSe já pagou, desconsidere esta mensagem."
        + _SIGNATURE,
        "short_text": "{{ company_name }}: fatura vencida em {{ due_date }}, valor hoje {{ amount_due }}.",
    },
    {
        "name": "Aviso de suspensão (Financeiro em atraso)",
        "event": Event.NOTICE,
        "days": 0,
        "email": True,
        "sms": True,
        "subject": "{{ company_name }}: aviso de suspensão do serviço em {{ suspension_date }}",
        "body_text": "Olá, {{ customer_name }}.\n\nConsta em aberto a fatura vencida em {{ due_date }} "
        "({{ amount_due }} para pagamento hoje). Conforme a Resolução Anatel nº 765/2023, informamos "
        "que, sem o pagamento, o acesso será suspenso em {{ suspension_date }}.\n\n"
        + _PAYMENT_BLOCK
        + "\n\nSe já pagou, desconsidere esta mensagem."
        + _SIGNATURE,
        "short_text": "{{ company_name }}: fatura vencida em {{ due_date }}. Sem pagamento, o acesso "
        "será suspenso em {{ suspension_date }}.",
    },
    {
        "name": "Pagamento recebido",
        "event": Event.PAYMENT,
        "days": 0,
        "email": True,
        "subject": "{{ company_name }}: pagamento recebido",
        "body_text": "Olá, {{ customer_name }}.\n\nRecebemos o pagamento de {{ payment_amount }} em "
        "{{ payment_date }} referente à fatura com vencimento em {{ due_date }}. Obrigado!" + _SIGNATURE,
        "short_text": "{{ company_name }}: recebemos seu pagamento de {{ payment_amount }}. Obrigado!",
    },
]
