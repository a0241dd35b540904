"""Reference data of the demo municipality: a district like Bornova (İzmir), its 31
directorates, categories mapped to them, neighbourhoods, and request texts written the
way citizens write them."""

DIRECTORATES = [
    ("yazi-isleri", "Yazı İşleri Müdürlüğü"),
    ("basin-yayin", "Basın Yayın ve Halkla İlişkiler Müdürlüğü"),
    ("fen-isleri", "Fen İşleri Müdürlüğü"),
    ("temizlik", "Temizlik İşleri Müdürlüğü"),
    ("park-bahce", "Park ve Bahçeler Müdürlüğü"),
    ("zabita", "Zabıta Müdürlüğü"),
    ("imar", "İmar ve Şehircilik Müdürlüğü"),
    ("mali-hizmetler", "Mali Hizmetler Müdürlüğü"),
    ("insan-kaynaklari", "İnsan Kaynakları ve Eğitim Müdürlüğü"),
    ("hukuk", "Hukuk İşleri Müdürlüğü"),
    ("sosyal-destek", "Sosyal Destek Hizmetleri Müdürlüğü"),
    ("kultur", "Kültür ve Sosyal İşler Müdürlüğü"),
    ("cevre", "Çevre Koruma ve Kontrol Müdürlüğü"),
    ("veteriner", "Veteriner İşleri Müdürlüğü"),
    ("emlak", "Emlak ve İstimlak Müdürlüğü"),
    ("destek", "Destek Hizmetleri Müdürlüğü"),
    ("bilgi-islem", "Bilgi İşlem Müdürlüğü"),
    ("strateji", "Strateji Geliştirme Müdürlüğü"),
    ("ruhsat", "Ruhsat ve Denetim Müdürlüğü"),
    ("plan-proje", "Plan ve Proje Müdürlüğü"),
    ("kentsel-tasarim", "Kentsel Tasarım Müdürlüğü"),
    ("genclik-spor", "Gençlik ve Spor Hizmetleri Müdürlüğü"),
    ("kadin-aile", "Kadın ve Aile Hizmetleri Müdürlüğü"),
    ("saglik", "Sağlık İşleri Müdürlüğü"),
    ("isletme", "İşletme ve İştirakler Müdürlüğü"),
    ("ozel-kalem", "Özel Kalem Müdürlüğü"),
    ("teftis", "Teftiş Kurulu Müdürlüğü"),
    ("iklim-sifir-atik", "İklim Değişikliği ve Sıfır Atık Müdürlüğü"),
    ("afet", "Afet İşleri Müdürlüğü"),
    ("kentsel-donusum", "Kentsel Dönüşüm Müdürlüğü"),
    ("muhtarlik", "Muhtarlık İşleri Müdürlüğü"),
]

# code, name, directorate code, SLA hours, keywords
CATEGORIES = [
    ("cop-toplama", "Çöp toplama", "temizlik", 24, "çöp\nkonteyner\nçöp kutusu\ntoplanmadı"),
    ("sokak-temizligi", "Sokak ve cadde temizliği", "temizlik", 48, "temizlik\nsüpürme\nkirli"),
    ("yol-kaldirim", "Yol ve kaldırım onarımı", "fen-isleri", 72, "kaldırım\nyol\nbozuk\nparke"),
    ("asfalt", "Asfalt ve çukur", "fen-isleri", 72, "asfalt\nçukur\nyama"),
    ("park-bakim", "Park bakımı ve oyun alanları", "park-bahce", 48, "park\noyun alanı\nsalıncak"),
    ("agac-budama", "Ağaç budama ve yeşil alan", "park-bahce", 72, "ağaç\nbudama\nçim\ndal"),
    ("sokak-hayvanlari", "Sokak hayvanları", "veteriner", 24, "köpek\nkedi\nhayvan\nyaralı"),
    ("gurultu", "Gürültü şikayeti", "zabita", 24, "gürültü\nses\nmüzik\ngece"),
    ("isgal", "Kaldırım işgali ve seyyar satıcı", "zabita", 48, "işgal\nseyyar\ntezgah"),
    ("kacak-yapi", "Kaçak yapı", "imar", 120, "kaçak\ninşaat\nruhsatsız"),
    ("imar-bilgi", "İmar durumu bilgi talebi", "imar", 120, "imar durumu\nparsel\nada"),
    (
        "sosyal-yardim",
        "Sosyal yardım başvurusu",
        "sosyal-destek",
        72,
        "yardım\ngıda\nkoli\nihtiyaç",
    ),
    ("kultur-etkinlik", "Kültür ve sanat etkinlikleri", "kultur", 96, "konser\netkinlik\ntiyatro"),
    ("cevre-kirlilik", "Çevre kirliliği", "cevre", 48, "koku\nkirlilik\nduman\natık"),
    ("hasere", "Haşere ve sivrisinek ilaçlama", "saglik", 48, "sivrisinek\nilaçlama\nhaşere"),
    ("emlak-vergisi", "Emlak vergisi ve ödemeler", "mali-hizmetler", 72, "vergi\nborç\nödeme"),
    ("isyeri-ruhsat", "İşyeri ruhsatı", "ruhsat", 120, "ruhsat\nişyeri\nbaşvuru"),
    ("spor-tesis", "Spor tesisleri ve kurslar", "genclik-spor", 96, "spor\nhavuz\nkurs"),
    ("kentsel-donusum-bilgi", "Kentsel dönüşüm", "kentsel-donusum", 120, "dönüşüm\nriskli yapı"),
    ("muhtarlik-talep", "Muhtarlık talepleri", "muhtarlik", 72, "muhtar\nmahalle"),
    ("afet-risk", "Afet riski ve acil durum", "afet", 12, "deprem\nsel\nsu baskını\nacil"),
]

NEIGHBOURHOODS = [
    "Kazımdirik",
    "Erzene",
    "Evka 3",
    "Altındağ",
    "Çamdibi",
    "Mevlana",
    "Yeşilova",
    "Atatürk",
    "Kızılay",
    "Doğanlar",
    "Işıklar",
    "Naldöken",
    "Pınarbaşı",
    "Kavaklıdere",
    "Birlik",
    "Merkez",
    "Zafer",
    "Barbaros",
    "Egemenlik",
    "Gürpınar",
    "Rafet Paşa",
    "Tuna",
    "Ergene",
    "Karacaoğlan",
    "Mustafa Kemal",
    "Yunus Emre",
    "Çiçekli",
    "Koşukavak",
    "Serintepe",
    "İnönü",
]

STREETS = [
    "Mustafa Kemal Caddesi",
    "Ankara Caddesi",
    "Kazım Dirik Caddesi",
    "Gençlik Caddesi",
    "Fevzi Çakmak Caddesi",
    "Erzene Sokak",
    "Manas Bulvarı",
    "Yüksel Caddesi",
    "İstiklal Sokak",
    "Şehitler Caddesi",
    "Cumhuriyet Bulvarı",
    "Atatürk Caddesi",
]

# category code → list of (subject, text) with {street} and {n} placeholders
TEXTS = {
    "cop-toplama": [
        (
            "Çöpler üç gündür alınmadı",
            "{street} üzerindeki konteynerlerin çöpleri üç gündür "
            "toplanmadı, koku dayanılmaz hale geldi. Lütfen en kısa sürede alınsın.",
        ),
        (
            "Konteyner kırık",
            "{street} {n} numara önündeki çöp konteynerinin kapağı kırık, "
            "kediler çöpleri etrafa saçıyor.",
        ),
        (
            "Çöp kamyonu gece geç geliyor",
            "Çöp toplama aracı gece 2'de geliyor ve çok gürültü "
            "yapıyor, saatin değiştirilmesini rica ediyoruz.",
        ),
    ],
    "sokak-temizligi": [
        ("Sokak süpürülmüyor", "{street} haftalardır süpürülmedi, yaprak ve çöp birikti."),
        (
            "Pazar yeri sonrası temizlik",
            "Salı pazarından sonra {street} çok kirli kalıyor, temizlik ekibi gelmiyor.",
        ),
    ],
    "yol-kaldirim": [
        (
            "Kaldırım taşları sökülmüş",
            "{street} {n} önündeki kaldırım parke taşları sökülmüş, "
            "yaşlılar ve bebek arabaları geçemiyor.",
        ),
        (
            "Engelli rampası yok",
            "{street} köşesindeki kaldırımda engelli rampası yok, "
            "tekerlekli sandalyeyle geçmek imkansız.",
        ),
    ],
    "asfalt": [
        (
            "Yolda derin çukur",
            "{street} üzerinde {n} numara civarında derin bir çukur var, "
            "dün bir motosiklet devrildi. Acilen yama yapılmalı.",
        ),
        ("Asfalt çöktü", "Yağmurdan sonra {street} asfaltı çöktü, araçlar zarar görüyor."),
    ],
    "park-bakim": [
        ("Salıncak kırık", "Mahalle parkındaki salıncak zinciri kopmuş, çocuklar için tehlikeli."),
        ("Parkta aydınlatma yok", "Akşamları parkın lambaları yanmıyor, güvenlik sorunu var."),
    ],
    "agac-budama": [
        (
            "Ağaç dalları cama değiyor",
            "{street} {n} numaradaki binanın önündeki ağacın dalları "
            "pencerelere dayandı, budanmasını talep ediyorum.",
        ),
        (
            "Devrilmek üzere ağaç",
            "Fırtınadan sonra {street} üzerindeki çam ağacı eğildi, devrilebilir.",
        ),
    ],
    "sokak-hayvanlari": [
        (
            "Yaralı köpek",
            "{street} üzerinde arka bacağı yaralı bir köpek var, veteriner "
            "ekibinin gelmesini rica ediyorum.",
        ),
        ("Sahipsiz köpek sürüsü", "Okul yolunda sahipsiz köpekler çocukları korkutuyor."),
    ],
    "gurultu": [
        (
            "Gece yarısı yüksek müzik",
            "{street} üzerindeki kafeden gece 1'e kadar yüksek sesle "
            "müzik çalınıyor, uyuyamıyoruz.",
        ),
        ("Hafta sonu inşaat gürültüsü", "Pazar sabahı 7'de inşaatta çalışma başladı."),
    ],
    "isgal": [
        (
            "Kaldırım işgali",
            "{street} üzerindeki dükkanlar kaldırıma masa koymuş, yayalar "
            "yola inmek zorunda kalıyor.",
        ),
    ],
    "kacak-yapi": [
        ("Çatıya kaçak kat", "{street} {n} numaralı binaya ruhsatsız kat çıkılıyor."),
    ],
    "imar-bilgi": [
        ("İmar durumu", "{n} ada 12 parselin imar durumunu öğrenmek istiyorum."),
    ],
    "sosyal-yardim": [
        (
            "Gıda yardımı talebi",
            "Eşim vefat etti, üç çocuğumla yalnız yaşıyorum, gıda yardımı almak istiyorum.",
        ),
        ("Yaşlı bakım desteği", "80 yaşındaki annem için evde bakım desteği istiyoruz."),
    ],
    "kultur-etkinlik": [
        ("Konser önerisi", "Yaz akşamları parkta açık hava konserleri düzenlenmesini öneriyorum."),
    ],
    "cevre-kirlilik": [
        ("Dereden kötü koku", "Mahalledeki dereden özellikle akşamları çok kötü koku geliyor."),
        ("Moloz dökülmüş", "{street} sonundaki boş araziye inşaat molozu dökülmüş."),
    ],
    "hasere": [
        (
            "Sivrisinek ilaçlaması",
            "Mahallemizde sivrisinek çok arttı, ilaçlama yapılmasını rica ederiz.",
        ),
    ],
    "emlak-vergisi": [
        (
            "Emlak vergisi borcu hatalı",
            "E-belediyede görünen emlak vergisi borcum hatalı, geçen yıl ödemiştim.",
        ),
    ],
    "isyeri-ruhsat": [
        (
            "Ruhsat başvurusu ne durumda",
            "İki ay önce yaptığım işyeri açma ruhsatı başvurusu hâlâ sonuçlanmadı.",
        ),
    ],
    "spor-tesis": [
        ("Yüzme kursu kaydı", "Çocuğum için yaz yüzme kursuna nasıl kayıt yaptırabilirim?"),
    ],
    "kentsel-donusum-bilgi": [
        ("Riskli yapı tespiti", "Binamız 1975 yapımı, riskli yapı tespiti için ne yapmalıyız?"),
    ],
    "muhtarlik-talep": [
        ("Muhtarlık binası onarımı", "Mahalle muhtarlığının çatısı akıtıyor."),
    ],
    "afet-risk": [
        (
            "Su baskını",
            "Sağanak yağmurda {street} üzerindeki bodrum katları su bastı, acil yardım gerekiyor.",
        ),
    ],
}

THANKS = [
    ("Teşekkürler", "Park ve Bahçeler ekibine parkımızı yenilediği için çok teşekkür ederiz."),
    (
        "Hızlı çözüm için teşekkür",
        "Çukur bildirdim, ertesi gün yapıldı. Emeği geçenlere teşekkürler.",
    ),
]

ENGLISH = [
    (
        "asfalt",
        "Pothole near the university",
        "There is a large pothole on {street} near the "
        "Ege University entrance, cyclists keep falling.",
    ),
    (
        "cop-toplama",
        "Rubbish not collected",
        "Our bins on {street} have not been emptied since Monday.",
    ),
]

PERSIAN = [
    (
        "sokak-hayvanlari",
        "سگ زخمی در خیابان",
        "یک سگ زخمی در {street} دیده می‌شود، لطفاً دامپزشکی شهرداری رسیدگی کند.",
    ),
    ("gurultu", "سر و صدای شبانه", "کافه‌ی نزدیک خانه‌ی ما تا ساعت یک بامداد موسیقی بلند پخش می‌کند."),
]

FIRST_NAMES = [
    "Ayşe",
    "Mehmet",
    "Fatma",
    "Ahmet",
    "Zeynep",
    "Mustafa",
    "Elif",
    "Hüseyin",
    "Emine",
    "İbrahim",
    "Şükrü",
    "Gülşen",
    "Özlem",
    "Çağla",
    "İlker",
    "Ümran",
]
LAST_NAMES = [
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Yıldız",
    "Öztürk",
    "Aydın",
    "Arslan",
    "Doğan",
    "Kılıç",
    "Aslan",
    "Çetin",
    "Koç",
    "Kurt",
    "Özdemir",
]

# The Tehran district used to show Persian, right-to-left and the Jalali calendar.
TEHRAN_DIRECTORATES = [
    ("khadamat", "اداره خدمات شهری"),
    ("fanni", "اداره فنی و عمران"),
    ("faza-sabz", "اداره فضای سبز"),
    ("ejtemai", "اداره امور اجتماعی"),
]
TEHRAN_CATEGORIES = [
    ("pasmand", "جمع‌آوری پسماند", "khadamat", 24),
    ("asfalt", "آسفالت و معابر", "fanni", 72),
    ("derakht", "هرس درختان و فضای سبز", "faza-sabz", 48),
    ("komak", "کمک‌های اجتماعی", "ejtemai", 72),
]
TEHRAN_TEXTS = [
    ("pasmand", "زباله‌ها جمع‌آوری نشده", "سه روز است که زباله‌های کوچه‌ی ما جمع‌آوری نشده است."),
    ("asfalt", "چاله در خیابان", "در خیابان ولیعصر یک چاله‌ی بزرگ ایجاد شده که خطرناک است."),
    ("derakht", "هرس درخت", "شاخه‌های درخت جلوی منزل ما به سیم برق رسیده است."),
    ("komak", "درخواست کمک", "سالمند تنها هستم و برای خرید روزانه کمک نیاز دارم."),
]
