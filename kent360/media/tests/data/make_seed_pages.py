"""Builds the labelled Turkish/Persian HTML pages from /work/shared/seeds (run once, committed).

Each page wraps one seed article in realistic site chrome (menus, breaking-news ticker,
share buttons, comment policy, related headlines, footer) and records the expected
title, publication date and the first words of the body in expected.json.
Run: python kent360/media/tests/data/make_seed_pages.py [SEEDS_DIR]
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "seed_pages"

NAV_TR = [
    "Ana Sayfa",
    "Gündem",
    "Politika",
    "Yerel Yönetimler",
    "Ekonomi",
    "Spor",
    "Kültür-Sanat",
    "Yazarlar",
    "Video",
    "Foto Galeri",
    "Künye",
    "İletişim",
]
NAV_FA = ["صفحه اصلی", "سیاسی", "اجتماعی", "اقتصادی", "ورزشی", "فرهنگی", "بین‌الملل", "عکس", "فیلم"]
RELATED_TR = [
    ("Büyükşehir meclisinde gündem ESHOT", "ESHOT’un borçlanması meclis gündeminde tartışıldı."),
    (
        "Çiğli’de esnaf ile vatandaşı buluşturan proje",
        "Çiğli Belediyesi yeni bir uygulama başlattı.",
    ),
    ("Menderes selin yaralarını sarıyor", "Sel felaketinin ardından yaralar sarılmaya başlandı."),
]
RELATED_FA = [
    ("کیفیت هوای تهران در وضعیت نارنجی", "میانگین شاخص کیفیت هوای تهران امروز ۱۱۲ است."),
    ("لغو سهمیه تردد رایگان در محدوده آلودگی", "شورای ترافیک تهران سهمیه ۲۰ روز را لغو کرد."),
]


def paragraphs(body: str) -> str:
    return "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n") if p.strip())


def page(
    *,
    lang: str,
    charset: str,
    title: str,
    site: str,
    dateline: str,
    body: str,
    head_extra: str = "",
    date_before_title: bool = False,
) -> str:
    rtl = lang == "fa"
    nav = NAV_FA if rtl else NAV_TR
    related = RELATED_FA if rtl else RELATED_TR
    nav_html = "".join(f'<li><a href="/{i}/">{html.escape(n)}</a></li>' for i, n in enumerate(nav))
    rel_html = "".join(
        f'<li><a href="/haber/{i}-ilgili-haber-baslik-{i}"><h4>{html.escape(t)}</h4>'
        f"<p>{html.escape(s)}</p></a></li>"
        for i, (t, s) in enumerate(related)
    )
    date_html = (
        f'<div class="meta"><span class="date">{html.escape(dateline)}</span></div>'
        if dateline
        else ""
    )
    share = "اشتراک‌گذاری" if rtl else "Paylaş"
    comments = (
        "نظرات شما پس از تأیید منتشر می‌شود."
        if rtl
        else "Yorumlarınız editör onayından sonra yayınlanır. Hakaret içeren yorumlar silinir."
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}"{' dir="rtl"' if rtl else ""}>
<head><meta charset="{charset}"><title>{html.escape(title)} - {html.escape(site)}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="{html.escape(site)}">
{head_extra}
<link rel="stylesheet" href="/static/site.css"><script>var gaq = []; gaq.push(['_track']);</script>
</head>
<body>
<header><div class="logo">{html.escape(site)}</div><nav><ul>{nav_html}</ul></nav>
<div class="ticker"><a href="/son-dakika">{"خبر فوری" if rtl else "Son Dakika"}</a>:
{html.escape(related[0][0])}</div></header>
<main><article>
{date_html if date_before_title else ""}
<h1>{html.escape(title)}</h1>
{"" if date_before_title else date_html}
<div class="share"><a href="#">{share}</a> <a href="#">Facebook</a> <a href="#">X</a></div>
<div class="content">
{paragraphs(body)}
</div>
<div class="tags">{"برچسب‌ها" if rtl else "Etiketler"}: <a href="/etiket/belediye">belediye</a></div>
</article>
<section class="comments"><h3>{"نظرات" if rtl else "Yorumlar"}</h3><p>{comments}</p>
<form><textarea></textarea><button>{"ارسال" if rtl else "Gönder"}</button></form></section>
<aside><h3>{"اخبار مرتبط" if rtl else "İlgili Haberler"}</h3><ul>{rel_html}</ul></aside>
</main>
<footer><p>© {html.escape(site)} — {"کلیه حقوق محفوظ است" if rtl else "Tüm hakları saklıdır"}.</p>
<ul><li><a href="/kunye">Künye</a></li><li><a href="/rss">RSS</a></li></ul></footer>
</body></html>
"""


def body_of(text: str, start: str, stop: str, last: bool = False) -> str:
    a = text.rindex(start) if last else text.index(start)
    b = text.index(stop, a) + len(stop)
    return text[a:b]


def main(seeds: Path) -> None:
    OUT.mkdir(exist_ok=True)
    s = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))}
    cases = []

    body = body_of(s["004"], "Bornova Belediyesi, toplumsal", "diliyorum” dedi.", last=True)
    cases.append(
        dict(
            name="tr_bornova_1254.html",
            charset="windows-1254",
            lang="tr",
            title="Bornova’da yeni iletişim sistemi",
            site="Gerçek İzmir",
            dateline="11 Şubat 2021 Perşembe - 10:09",
            body=body,
            expected_date="2021-02-11T10:09:00+03:00",
            date_before_title=True,
        )
    )
    body = body_of(s["000"], "Hatay Büyükşehir Belediyesi ve Samandağ", "son buldu.")
    cases.append(
        dict(
            name="tr_samandag.html",
            charset="utf-8",
            lang="tr",
            title="Sosyal Belediyeler ağı çalıştayı gerçekleşti",
            site="Hatay Mahalli Haber",
            dateline="Yayınlanma Tarihi : 10.02.2018 00:00 Bu haber 512 defa okundu",
            body=body,
            expected_date="2018-02-10T00:00:00+03:00",
        )
    )
    body = body_of(s["001"], "Bu kapsamda Büyükşehir", "öğrenildi.")
    cases.append(
        dict(
            name="tr_balikesir_meta.html",
            charset="utf-8",
            lang="tr",
            title="Balıkesir Benim Ailem Vizyonu Güçleniyor",
            site="Körfez Haber",
            dateline="3 gün önce",
            body=body,
            head_extra=(
                '<meta property="article:published_time" content="2024-09-12T14:05:00+03:00">'
            ),
            expected_date="2024-09-12T14:05:00+03:00",
        )
    )
    body = body_of(s["003"], "به گزارش ایسنا", "منعکس نمایند.")
    title_fa = (
        "روابط عمومی شهرداری ها جهت استفاده از فضای مجازی "
        "و حضور کارآمد در پسا کرونا برنامه ریزی کنند"
    )
    cases.append(
        dict(
            name="fa_shahrdari_1256.html",
            charset="windows-1256",
            lang="fa",
            title=title_fa,
            site="باشگاه خبرنگاران",
            dateline="اجتماعي 13:30 - 27 ارديبهشت 1400",
            body=body,
            expected_date="2021-05-17T13:30:00+04:30",
            date_before_title=True,
        )
    )
    cases.append(
        dict(
            name="fa_shahrdari_digits.html",
            charset="utf-8",
            lang="fa",
            title=title_fa,
            site="پایگاه خبری شهر",
            dateline="۱۳:۳۰ - ۲۷ اردیبهشت ۱۴۰۰",
            body=body,
            expected_date="2021-05-17T13:30:00+04:30",
        )
    )
    expected = {}
    for c in cases:
        name, charset, expected_date = c.pop("name"), c["charset"], c.pop("expected_date")
        text = page(**c)
        if charset == "windows-1256":
            # windows-1256 has no Persian yeh/keheh: such sites write the Arabic letters.
            text = text.replace("ی", "ي").replace("ک", "ك").replace("\u200c", " ")
        (OUT / name).write_bytes(text.encode(charset, errors="xmlcharrefreplace"))
        expected[name] = {
            "title": c["title"],
            "date": expected_date,
            "language": c["lang"],
            "body_start": " ".join(c["body"].split()[:8]),
            "body": c["body"],
        }
    (OUT / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/seeds"))
