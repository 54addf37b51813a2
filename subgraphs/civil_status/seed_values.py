"""Value pools and date helpers for the civil-status seed writer (``seed.py``): kept apart so that the writer
reads as the rules deriving events from the population."""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta

from subgraphs.common.provinces import BY_CODE

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
