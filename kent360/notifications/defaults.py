"""The wording shipped with kent360 for every kind of message, in Turkish, English and
Persian. An organisation overrides any of them with a NotificationTemplate row.

Each kind has a main line (used as the SMS text and inside the e-mail) and a subject.
"""

from __future__ import annotations

# kind → language → (subject, main line)
LINES: dict[str, dict[str, tuple[str, str]]] = {
    "received": {
        "tr": (
            "Başvurunuz alındı: {{ code }}",
            "{{ org }} başvurunuzu aldı. Takip kodunuz: {{ code }}.",
        ),
        "en": (
            "Your request was received: {{ code }}",
            "{{ org }} has received your request. Your tracking code is {{ code }}.",
        ),
        "fa": (
            "درخواست شما دریافت شد: {{ code }}",
            "{{ org }} درخواست شما را دریافت کرد. کد پیگیری شما: {{ code }}",
        ),
    },
    "assigned": {
        "tr": (
            "Başvurunuz ilgili birime iletildi: {{ code }}",
            "{{ code }} numaralı başvurunuz {{ directorate }} birimine iletildi.",
        ),
        "en": (
            "Your request was passed on: {{ code }}",
            "Your request {{ code }} has been passed to {{ directorate }}.",
        ),
        "fa": (
            "درخواست شما ارجاع شد: {{ code }}",
            "درخواست {{ code }} به {{ directorate }} ارجاع شد.",
        ),
    },
    "waiting": {
        "tr": (
            "Başvurunuz için bilgiye ihtiyacımız var: {{ code }}",
            "{{ code }} numaralı başvurunuz için sizden bilgi bekliyoruz.",
        ),
        "en": (
            "We need information for your request {{ code }}",
            "We need some information from you about your request {{ code }}.",
        ),
        "fa": (
            "برای درخواست {{ code }} به اطلاعات نیاز داریم",
            "برای درخواست {{ code }} به اطلاعاتی از شما نیاز داریم.",
        ),
    },
    "answered": {
        "tr": (
            "Başvurunuz yanıtlandı: {{ code }}",
            "{{ code }} numaralı başvurunuz yanıtlandı.",
        ),
        "en": ("Your request was answered: {{ code }}", "Your request {{ code }} was answered."),
        "fa": ("به درخواست شما پاسخ داده شد: {{ code }}", "به درخواست {{ code }} پاسخ داده شد."),
    },
    "closed": {
        "tr": ("Başvurunuz kapatıldı: {{ code }}", "{{ code }} numaralı başvurunuz kapatıldı."),
        "en": ("Your request was closed: {{ code }}", "Your request {{ code }} was closed."),
        "fa": ("درخواست شما بسته شد: {{ code }}", "درخواست {{ code }} بسته شد."),
    },
    "reopened": {
        "tr": (
            "Başvurunuz yeniden açıldı: {{ code }}",
            "{{ code }} numaralı başvurunuz yeniden açıldı ve incelenecek.",
        ),
        "en": (
            "Your request was reopened: {{ code }}",
            "Your request {{ code }} was reopened and will be looked at again.",
        ),
        "fa": ("درخواست شما دوباره باز شد: {{ code }}", "درخواست {{ code }} دوباره باز شد."),
    },
    "reply": {
        "tr": ("Başvurunuz hakkında: {{ code }}", "{{ code }} numaralı başvurunuz hakkında:"),
        "en": ("About your request {{ code }}", "About your request {{ code }}:"),
        "fa": ("درباره درخواست {{ code }}", "درباره درخواست {{ code }}:"),
    },
    "update": {
        "tr": (
            "Başvurunuzun durumu: {{ state }}",
            "{{ code }} numaralı başvurunuzun durumu: {{ state }}.",
        ),
        "en": (
            "Your request {{ code }}: {{ state }}",
            "Your request {{ code }} is now: {{ state }}.",
        ),
        "fa": ("وضعیت درخواست {{ code }}: {{ state }}", "وضعیت درخواست {{ code }}: {{ state }}"),
    },
    "escalation": {
        "tr": (
            "SLA uyarısı ({{ level }}): {{ code }}",
            "{{ code }} numaralı başvuru ({{ subject }}) için süre: {{ level }}. "
            "Son tarih {{ due }}.",
        ),
        "en": (
            "SLA escalation ({{ level }}): {{ code }}",
            "Request {{ code }} ({{ subject }}): {{ level }}. Deadline {{ due }}.",
        ),
        "fa": (
            "هشدار مهلت ({{ level }}): {{ code }}",
            "درخواست {{ code }} ({{ subject }}): {{ level }}. مهلت {{ due }}",
        ),
    },
    "message": {
        "tr": (
            "Vatandaştan yeni mesaj: {{ code }}",
            "{{ code }} numaralı başvuru ({{ subject }}) için vatandaş yeniden yazdı "
            "({{ channel }}):\n{{ text }}",
        ),
        "en": (
            "The citizen wrote again: {{ code }}",
            "The citizen wrote again about request {{ code }} ({{ subject }}) "
            "({{ channel }}):\n{{ text }}",
        ),
        "fa": (
            "پیام تازه از شهروند: {{ code }}",
            "شهروند دربارهٔ درخواست {{ code }} ({{ subject }}) دوباره نوشت "
            "({{ channel }}):\n{{ text }}",
        ),
    },
}

GREETING = {
    "tr": "{% if name %}Sayın {{ name }},\n\n{% endif %}",
    "en": "{% if name %}Dear {{ name }},\n\n{% endif %}",
    "fa": "{% if name %}{{ name }} گرامی،\n\n{% endif %}",
}
TRACK = {
    "tr": "Başvurunuzu izleyin: {{ tracking_url }}",
    "en": "Follow your request: {{ tracking_url }}",
    "fa": "پیگیری درخواست: {{ tracking_url }}",
}
SURVEY = {
    "tr": "{% if survey_url %}\nYanıtımızı değerlendirin (1–5): {{ survey_url }}{% endif %}",
    "en": "{% if survey_url %}\nRate our answer (1–5): {{ survey_url }}{% endif %}",
    "fa": "{% if survey_url %}\nبه پاسخ ما امتیاز دهید (۱ تا ۵): {{ survey_url }}{% endif %}",
}
STAFF_LINK = {
    "tr": "Başvuru: {{ staff_url }}",
    "en": "Request: {{ staff_url }}",
    "fa": "درخواست: {{ staff_url }}",
}
LANGUAGES = ("tr", "en", "fa")
STAFF_KINDS = frozenset({"escalation", "message"})


def default_template(kind: str, channel: str, language: str) -> tuple[str, str]:
    """(subject, body) shipped for this kind, channel and language (Turkish if unknown)."""
    lang = language if language in LANGUAGES else "tr"
    subject, line = LINES.get(kind, LINES["update"])[lang]
    if kind in STAFF_KINDS:
        return subject, f"{line}\n{STAFF_LINK[lang]}"
    text = "{% if text %}\n{{ text }}{% endif %}"
    if channel == "sms":
        short = "{% if survey_url %} {{ survey_url }}{% else %} {{ tracking_url }}{% endif %}"
        excerpt = "{% if text %} {{ text|truncatechars:200 }}{% endif %}"
        return subject, f"{line}{excerpt}{short}"
    body = f"{GREETING[lang]}{line}\n{text}\n\n{TRACK[lang]}{SURVEY[lang]}\n\n{{{{ org }}}}"
    return subject, body
