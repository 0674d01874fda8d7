"""Name pools for deterministic demo data (German and refugee-origin names)."""

FIRST_NAMES = [
    "Anna", "Jonas", "Lena", "Lukas", "Miriam", "Thomas", "Sabine", "Markus", "Katrin", "Stefan",
    "Aylin", "Mehmet", "Fatma", "Emre", "Leyla", "Ahmad", "Mariam", "Yusuf", "Noor", "Omar",
    "Rahel", "Dawit", "Selam", "Yonas", "Aster", "Hamid", "Zahra", "Farid", "Parisa", "Reza",
    "Olena", "Andrii", "Iryna", "Dmytro", "Kateryna", "Amani", "Baraka", "Chidi", "Ngozi", "Samir",
]
LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Koch", "Wagner",
    "Demir", "Yılmaz", "Kaya", "Şahin", "Al-Hassan", "Haddad", "Khalil", "Mansour", "Nasser",
    "Tesfaye", "Haile", "Gebremedhin", "Ahmadi", "Hosseini", "Rahimi", "Karimi", "Sultani",
    "Kovalenko", "Shevchenko", "Bondarenko", "Okafor", "Mensah", "Diallo", "Ibrahim", "Hussein",
]
