"""Value pools the synthetic world samples from, generated once per run with Faker ``vi_VN``.

Calling Faker per row is ~100× slower than ``random.choice`` over a pre-generated list, so names, streets and
communes are drawn from Faker once (seeded, hence deterministic) and then sampled with the generator's own
``random.Random``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from faker import Faker

from subgraphs.common.provinces import PROVINCES, Province

POOL_SIZE = 600

# Approximate shares of the population (General Statistics Office, 2019 census): Kinh ~85 %, then the largest
# minorities. Only the order of magnitude matters for the demo data.
ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("Kinh", 85.3), ("Tày", 1.9), ("Thái", 1.8), ("Mường", 1.5), ("Khmer", 1.4), ("Hoa", 0.8), ("Nùng", 1.1),
    ("H'Mông", 1.5), ("Dao", 0.9), ("Gia Rai", 0.5), ("Ê Đê", 0.4), ("Ba Na", 0.3), ("Chăm", 0.2),
    ("Sán Dìu", 0.2),
)
# None = no religion (most of the population).
RELIGIONS: tuple[tuple[str | None, float], ...] = (
    (None, 86.0), ("Phật giáo", 6.1), ("Công giáo", 6.1), ("Tin lành", 1.0), ("Cao Đài", 0.6),
    ("Phật giáo Hòa Hảo", 0.5),
)
MALE_MIDDLE = ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Thành", "Xuân", "Ngọc", "Tuấn")
FEMALE_MIDDLE = ("Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Bích", "Kim", "Hồng")
# Faker vi_VN knows only ~20 given names per sex; common ones are added so that full names are not all alike.
EXTRA_MALE_FIRST = (
    "An", "Bình", "Cường", "Đạt", "Định", "Giang", "Hải", "Hiếu", "Hưng", "Khải", "Khánh", "Khoa", "Lâm", "Long",
    "Lực", "Mạnh", "Nam", "Nghĩa", "Nhân", "Phát", "Phong", "Phúc", "Quân", "Quý", "Sơn", "Tài", "Thắng", "Thịnh",
    "Toàn", "Trung", "Tú", "Việt", "Vinh", "Vũ",
)
EXTRA_FEMALE_FIRST = (
    "Ánh", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hiền", "Hoa", "Huệ", "Hương", "Lan", "Liên", "Linh",
    "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phượng", "Quyên", "Tâm", "Thảo", "Thoa", "Thúy", "Trang",
    "Tuyết", "Uyên", "Vân", "Xuân", "Yến",
)


@dataclass(frozen=True, slots=True)
class Pools:
    """Everything the generator samples from."""

    last_names: tuple[str, ...]
    male_first: tuple[str, ...]
    female_first: tuple[str, ...]
    streets: tuple[str, ...]
    communes: tuple[str, ...]  # "Phường …" / "Xã …"
    provinces: tuple[Province, ...]
    province_cum_weights: tuple[float, ...]
    ethnicities: tuple[str, ...]
    ethnicity_cum_weights: tuple[float, ...]
    religions: tuple[str | None, ...]
    religion_cum_weights: tuple[float, ...]


def _province_weight(province: Province) -> float:
    # Merged provinces are bigger; the two metropolises much bigger.
    big = {"079": 3.5, "001": 2.5}
    return big.get(province.code, 1.0) * len(province.former_codes)


def build_pools(seed: int) -> Pools:
    """Draw the pools from Faker vi_VN, seeded with ``seed`` (same seed, same pools)."""
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    last = tuple(fake.last_name() for _ in range(POOL_SIZE))  # keeps Faker's weighting (many Nguyễn)
    male = tuple(sorted({fake.first_name_male() for _ in range(POOL_SIZE)} | set(EXTRA_MALE_FIRST)))
    female = tuple(sorted({fake.first_name_female() for _ in range(POOL_SIZE)} | set(EXTRA_FEMALE_FIRST)))
    streets = tuple(sorted({fake.street_name() for _ in range(POOL_SIZE)}))
    communes = tuple(
        sorted({f"{'Phường' if fake.random.random() < 0.45 else 'Xã'} {fake.commune_name()}" for _ in range(POOL_SIZE)})
    )
    return Pools(
        last_names=last,
        male_first=male,
        female_first=female,
        streets=streets,
        communes=communes,
        provinces=PROVINCES,
        province_cum_weights=tuple(itertools.accumulate(_province_weight(p) for p in PROVINCES)),
        ethnicities=tuple(e for e, _ in ETHNICITIES),
        ethnicity_cum_weights=tuple(itertools.accumulate(w for _, w in ETHNICITIES)),
        religions=tuple(r for r, _ in RELIGIONS),
        religion_cum_weights=tuple(itertools.accumulate(w for _, w in RELIGIONS)),
    )
