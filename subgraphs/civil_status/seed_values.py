"""Value pools and date helpers for the civil-status seed writer (``seed.py``): kept apart so that the writer
reads as the rules deriving events from the population."""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta

from subgraphs.common.provinces import BY_CODE
from subgraphs.seed.world import SeedPerson

# Latest date an invented registration (confirmation, amendment...) may carry: the seeded world's "today".
REFERENCE_DATE = date(2026, 6, 30)

SIGNER_TITLES = ("Chủ tịch Ủy ban nhân dân", "Phó Chủ tịch Ủy ban nhân dân")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE_NAMES = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Xuân")
GIVEN_NAMES = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hương",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phong",
    "Tâm",
)
CAUSES_OF_DEATH = (
    "Tuổi cao, sức yếu",
    "Bệnh tim mạch",
    "Đột quỵ",
    "Ung thư phổi",
    "Tai nạn giao thông",
    "Viêm phổi",
    "Suy thận mạn",
    "Đái tháo đường",
)
PLACES_OF_DEATH = ("Tại nhà", "Bệnh viện đa khoa tỉnh", "Trung tâm y tế khu vực", "Bệnh viện trung ương")
CONFIRMATION_USES = (
    "Đăng ký kết hôn",
    "Vay vốn ngân hàng",
    "Chuyển nhượng quyền sử dụng đất",
    "Xuất khẩu lao động",
)
ETHNICITIES = ("Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "H'Mông", "Dao", "Gia Rai", "Ê Đê")
FOREIGN_COUNTRIES = (
    ("Hàn Quốc", "Văn phòng đăng ký gia đình quận Gangnam"),
    ("Nhật Bản", "Ủy ban hành chính thành phố Osaka"),
    ("Đài Loan (Trung Quốc)", "Văn phòng hộ chính Đài Bắc"),
    ("Hoa Kỳ", "County Clerk, Orange County, California"),
    ("Cộng hòa Liên bang Đức", "Standesamt Berlin-Mitte"),
)

# Vietnamese representative missions abroad (Cơ quan đại diện) that register the births and marriages of citizens
# residing in their area (Law on Civil Status Art. 3.3, 53; 003 Art. 8.3: the foreign affairs body's records).
MISSIONS = (
    "Đại sứ quán Việt Nam tại Nhật Bản",
    "Tổng Lãnh sự quán Việt Nam tại Osaka",
    "Đại sứ quán Việt Nam tại Hàn Quốc",
    "Văn phòng Kinh tế và Văn hóa Việt Nam tại Đài Bắc",
    "Đại sứ quán Việt Nam tại Hoa Kỳ",
    "Tổng Lãnh sự quán Việt Nam tại San Francisco",
    "Đại sứ quán Việt Nam tại Cộng hòa Liên bang Đức",
    "Tổng Lãnh sự quán Việt Nam tại Sydney",
)


def signer(rng: random.Random) -> tuple[str, str]:
    """A plausible signing official: (name, title)."""
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
    return name, rng.choice(SIGNER_TITLES)


def authority(place: str | None, province_code: str) -> str:
    """The commune-level People's Committee of ``place`` (an address whose last two segments are the ward and
    the province), which registers civil status events (Law on Civil Status Art. 7)."""
    province = BY_CODE[province_code].name
    parts = [p.strip() for p in (place or "").split(",") if p.strip()]
    # Places of birth registration may already name the committee ("Ủy ban nhân dân Xã X, Tỉnh Y").
    ward = parts[-2].removeprefix("Ủy ban nhân dân ") if len(parts) >= 2 else None
    return f"Ủy ban nhân dân {ward}, {province}" if ward else f"Ủy ban nhân dân {province}"


def court(rng: random.Random, province_code: str) -> str:
    """A regional people's court of the province (Tòa án nhân dân khu vực, since 1 July 2025)."""
    return f"Tòa án nhân dân khu vực {rng.randint(1, 9)} - {BY_CODE[province_code].name}"


def parse(partial: str | None, *, upper: bool = False) -> date | None:
    """A partial date as a date: its first day, or its last when ``upper``."""
    if not partial:
        return None
    parts = partial.split("-")
    year = int(parts[0])
    if len(parts) == 3:
        return date(year, int(parts[1]), int(parts[2]))
    if len(parts) == 2:
        month = int(parts[1])
        if not upper:
            return date(year, month, 1)
        nxt = date(year + month // 12, month % 12 + 1, 1)
        return nxt - timedelta(days=1)
    return date(year, 12, 31) if upper else date(year, 1, 1)


def after(partial: str, rng: random.Random, low: int, high: int) -> str:
    """A registration ``low``..``high`` days after a full date; a partial date stays as precise as it was,
    because the book of that time recorded no more."""
    if len(partial) != 10:
        return partial
    return (
        date.fromisoformat(partial) + timedelta(days=low + int(rng.random() * (high - low + 1)))
    ).isoformat()


def between(rng: random.Random, low: date | None, high: date | None) -> str | None:
    """A random ISO date in [low, high], or None when the interval is empty."""
    if low is None or high is None or low > high:
        return None
    return (low + timedelta(days=int(rng.random() * ((high - low).days + 1)))).isoformat()


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def misspelled(text: str) -> str:
    """``text`` without diacritics: the typical clerical error a correction (cải chính) fixes."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


# -- record metadata (003 Art. 3.1.d, 3.2, 7.2) and identity papers (3.1.a, 3.1.b) ---------------------------

SOFTWARE_SINCE = 2016  # Law on Civil Status in force; registrations from then on go through the shared software
LEGACY_SINCE = 2010  # provincial civil status software of 2010-2015, converted later (003 Art. 3.2.d)
RATE_LEGACY = 0.3  # of the 2010-2015 records
RATE_FOREIGN_FATHER = 0.02  # of the persons whose parents the population does not know
MINOR_SINCE_YEAR = REFERENCE_DATE.year - 17  # born that year or later: a minor on some day of the reference year
CITIZEN_CARD_AUTHORITY = "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
_SOFTWARE_START = date(SOFTWARE_SINCE, 1, 1)
_ID_CARD_AUTHORITIES = {code: f"Công an {province.name}" for code, province in BY_CODE.items()}
# 08:00-16:59 in Viet Nam (UTC+7) is 01:00-09:59 UTC: registrations are entered in working hours.
_WORK_TIMES = tuple(f"{h:02d}:{m:02d}:{s:02d}" for h in range(1, 10) for m in range(0, 60, 7) for s in (0, 17, 41))
# A father born abroad: (country, nationality, passport authority, names as written in the passport).
FOREIGN_PARENTS = (
    ("Hàn Quốc", "Hàn Quốc", "Ministry of Foreign Affairs, Republic of Korea",
     ("KIM MIN JUN", "LEE SEO JOON", "PARK JI HOON", "CHOI WOO JIN")),
    ("Nhật Bản", "Nhật Bản", "Ministry of Foreign Affairs of Japan",
     ("TANAKA HIROSHI", "SATO KENJI", "SUZUKI TAKUMI")),
    ("Đài Loan (Trung Quốc)", "Trung Quốc", "Bureau of Consular Affairs, Taipei",
     ("CHEN WEI-LUN", "LIN CHIH-HAO", "WANG CHUN-HSIEN")),
    ("Hoa Kỳ", "Hoa Kỳ", "U.S. Department of State", ("JOHN MICHAEL SMITH", "DAVID LEE JOHNSON")),
    ("Cộng hòa Liên bang Đức", "Đức", "Bundesdruckerei, Stadt Berlin", ("LUKAS MÜLLER", "JONAS SCHMIDT")),
)


def _days(first: date, last: date) -> tuple[str, ...]:
    """The working days (Monday-Friday) from ``first`` to ``last``, ISO."""
    out = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            out.append(day.isoformat())
        day += timedelta(days=1)
    return tuple(out)


_CONVERSION_DAYS = _days(date(2016, 3, 1), date(2019, 12, 31))
_DIGITISATION_DAYS = _days(date(2019, 1, 1), date(2024, 12, 31))


class RecordClock:
    """Source, scan reference and created time of the records of one chunk, drawn from its ``rng``. Times are
    ``YYYY-MM-DD HH:MM:SS`` UTC text plus ``suffix`` (``+00`` for PostgreSQL's timestamptz)."""

    def __init__(self, rng: random.Random, suffix: str) -> None:
        self.rng = rng
        self.suffix = suffix

    def working_time(self, day: str) -> str:
        """A working-hour time of ``day`` (a full ISO date)."""
        return f"{day} {_WORK_TIMES[int(self.rng.random() * len(_WORK_TIMES))]}{self.suffix}"

    def _day_of(self, days: tuple[str, ...]) -> str:
        return self.working_time(days[int(self.rng.random() * len(days))])

    def record(self, when: str, province_code: str, event_id: int) -> tuple[str, str | None, str]:
        """(source, scan reference, created time) of a record registered on ``when`` (a partial date)."""
        year = int(when[:4])
        if year >= SOFTWARE_SINCE and len(when) == 10:
            return "REGISTRATION_SOFTWARE", None, self.working_time(when)
        if LEGACY_SINCE <= year < SOFTWARE_SINCE and self.rng.random() < RATE_LEGACY:
            return "LEGACY_DATABASE", None, self._day_of(_CONVERSION_DAYS)
        # Digitised from its book (003 Art. 3.2.b): the page's scan is kept in the document store (3.1.d).
        scan = f"sohotich/{province_code}/{year}/{event_id:08d}.jpg"
        return "DIGITISED_BOOK", scan, self._day_of(_DIGITISATION_DAYS)


def fourteenth_birthday(holder: SeedPerson) -> date | None:
    """The day from which ``holder`` could hold an identity paper (at the latest, for a partial date)."""
    born = parse(holder.date_of_birth, upper=True)
    return None if born is None else add_years(born, 14)


def identity_paper(rng: random.Random, holder: SeedPerson, day: date, fourteen: date) -> dict[str, str] | None:
    """The identity paper ``holder`` held on ``day``: the citizen identity card (number = personal id) from 2016,
    the former ID card before if they had one; None when they held none yet (under 14 on ``day``)."""
    if day.year >= SOFTWARE_SINCE:
        issued = between(rng, max(fourteen, _SOFTWARE_START), day)
        kind, number, authority = "CITIZEN_ID_CARD", holder.personal_id, CITIZEN_CARD_AUTHORITY
    else:
        number = holder.old_id_card_number
        if not number:
            return None
        issued = between(rng, max(fourteen, add_years(day, -15)), day)  # a card was valid 15 years
        kind, authority = "ID_CARD", _ID_CARD_AUTHORITIES.get(holder.birth_province_code, "Công an tỉnh")
    if issued is None:
        return None
    # issued in Viet Nam to the Person ``holder``: no issuingCountry, no holderName (models.identity_papers)
    return {"kind": kind, "number": number, "issuingAuthority": authority, "issueDate": issued}


def foreign_passport(rng: random.Random, when: str) -> dict[str, str]:
    """The passport of a foreign father, the only record of him (no personal identification number)."""
    country, nationality, authority, names = FOREIGN_PARENTS[int(rng.random() * len(FOREIGN_PARENTS))]
    day = parse(when) or REFERENCE_DATE
    issued = between(rng, add_years(day, -9), day) or day.isoformat()
    return {"kind": "PASSPORT", "number": f"M{rng.randint(1_000_000, 9_999_999)}", "issuingAuthority": authority,
            "issuingCountry": country, "issueDate": issued, "holderName": names[int(rng.random() * len(names))],
            "holderNationality": nationality}
