"""The initial offer taxonomy and funding sources (loaded by a data migration; editable)."""

# code, German name, plain-language German, {language: name}
CATEGORIES: list[tuple[str, str, str, dict[str, str]]] = [
    (
        "sprache",
        "Sprache",
        "Deutsch lernen",
        {"en": "Language", "ar": "اللغة", "fa": "زبان", "uk": "Мова", "tr": "Dil"},
    ),
    (
        "schulabschluss",
        "Schulabschluss",
        "Einen Schulabschluss machen",
        {
            "en": "School certificate",
            "ar": "الشهادة المدرسية",
            "fa": "مدرک مدرسه",
            "uk": "Шкільний атестат",
            "tr": "Okul diploması",
        },
    ),
    (
        "berufsorientierung",
        "Berufsorientierung und -vorbereitung",
        "Berufe kennenlernen",
        {
            "en": "Career orientation and preparation",
            "ar": "التوجيه والإعداد المهني",
            "fa": "آشنایی و آمادگی شغلی",
            "uk": "Профорієнтація та підготовка",
            "tr": "Meslek yönlendirme ve hazırlık",
        },
    ),
    (
        "ausbildung",
        "Ausbildung",
        "Eine Ausbildung machen",
        {
            "en": "Vocational training",
            "ar": "التدريب المهني",
            "fa": "آموزش حرفه‌ای",
            "uk": "Професійне навчання",
            "tr": "Mesleki eğitim",
        },
    ),
    (
        "arbeit",
        "Arbeit und Qualifizierung",
        "Arbeit finden und weiterlernen",
        {
            "en": "Work and qualification",
            "ar": "العمل والتأهيل",
            "fa": "کار و مهارت‌آموزی",
            "uk": "Робота та кваліфікація",
            "tr": "İş ve nitelik kazanma",
        },
    ),
    (
        "beratung",
        "Beratung und Coaching",
        "Hilfe und Beratung",
        {
            "en": "Counselling and coaching",
            "ar": "الاستشارة والتدريب الشخصي",
            "fa": "مشاوره و همراهی",
            "uk": "Консультації та коучинг",
            "tr": "Danışmanlık ve koçluk",
        },
    ),
    (
        "gesundheit",
        "Gesundheit und psychosoziale Hilfe",
        "Gesundheit und Hilfe für die Seele",
        {
            "en": "Health and psychosocial support",
            "ar": "الصحة والدعم النفسي الاجتماعي",
            "fa": "سلامت و حمایت روانی",
            "uk": "Здоров'я та психосоціальна допомога",
            "tr": "Sağlık ve psikososyal destek",
        },
    ),
    (
        "wohnen",
        "Wohnen",
        "Eine Wohnung finden",
        {"en": "Housing", "ar": "السكن", "fa": "مسکن", "uk": "Житло", "tr": "Barınma"},
    ),
    (
        "mobilitaet",
        "Mobilität",
        "Unterwegs sein (Bus, Bahn, Führerschein)",
        {"en": "Mobility", "ar": "التنقل", "fa": "رفت‌وآمد", "uk": "Мобільність", "tr": "Ulaşım"},
    ),
    (
        "ehrenamt",
        "Ehrenamt und Patenschaft",
        "Patinnen und Paten, Ehrenamt",
        {
            "en": "Volunteering and mentoring",
            "ar": "التطوع والرعاية",
            "fa": "داوطلبی و حامی",
            "uk": "Волонтерство та наставництво",
            "tr": "Gönüllülük ve mentorluk",
        },
    ),
    (
        "freizeit",
        "Freizeit und Teilhabe",
        "Freizeit, Sport und Treffen",
        {
            "en": "Leisure and participation",
            "ar": "الترفيه والمشاركة",
            "fa": "اوقات فراغت و مشارکت",
            "uk": "Дозвілля та участь",
            "tr": "Boş zaman ve katılım",
        },
    ),
    (
        "kinderbetreuung",
        "Kinderbetreuung",
        "Betreuung für Kinder",
        {
            "en": "Childcare",
            "ar": "رعاية الأطفال",
            "fa": "نگهداری از کودکان",
            "uk": "Догляд за дітьми",
            "tr": "Çocuk bakımı",
        },
    ),
]

# code, name, kind, engine rule set code, valid_from, valid_until
FUNDING_SOURCES: list[tuple[str, str, str, str, str | None, str | None]] = [
    ("f1", "F1 Individuelles Coaching", "module", "diaa.f1", "2019-12-18", "2023-06-30"),
    (
        "f2",
        "F2 Berufsbegleitende Qualifizierung und/oder Sprachförderung",
        "module",
        "diaa.f2",
        "2019-12-18",
        "2023-06-30",
    ),
    (
        "f3",
        "F3 Nachträglicher Erwerb des Hauptschulabschlusses",
        "module",
        "diaa.f3",
        "2019-12-18",
        "2023-06-30",
    ),
    (
        "f4",
        "F4 Schul- und ausbildungsvorbereitende Kurse, Jugendintegrationskurse",
        "module",
        "diaa.f4",
        "2019-12-18",
        "2023-06-30",
    ),
    ("f5", "F5 Innovationsfonds", "module", "diaa.f5", "2019-12-18", "2023-06-30"),
    ("sgb2", "SGB II (Jobcenter)", "regular", "", None, None),
    ("sgb3", "SGB III (Agentur für Arbeit)", "regular", "", None, None),
    ("bamf", "BAMF (Integrationskurs, Berufssprachkurs)", "regular", "", None, None),
    ("kommunal", "Kommunale Mittel", "municipal", "", None, None),
    ("sonstige", "Sonstige Förderung (Land, ESF, Stiftungen)", "other", "", None, None),
]
