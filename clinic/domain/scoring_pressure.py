"""Pressure pain thresholds: exact conversion to kPa and left-right differences at the ACR sites.

Conversions are exact physics (clinical reference, sections 4.6 and 8.2): 1 kgf = 9.80665 N
by definition, so 1 kgf/cm² = 98.0665 kPa, and 1 N/cm² = 10 kPa. A force in newtons says nothing
about pressure without the probe area, so such a reading without an area has no kPa value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext

from clinic.domain.criteria_sets import ACR_SITE_CODES, ACR_SITE_PAIRS
from clinic.domain.findings import PressureReading, TenderPointInput
from clinic.domain.scales import PressureUnit
from clinic.domain.scoring_outcomes import MINUS
from clinic.domain.sites import SITE_BY_CODE

KPA_PER_KGF_PER_CM2 = Decimal("98.0665")
KPA_PER_N_PER_CM2 = Decimal(10)
# A fixed context makes the frozen results independent of whatever context the caller set.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class PressureThreshold:
    """One algometer reading at a tender-point or control site, with its value in kPa."""

    site_code: str
    value: Decimal
    unit: PressureUnit
    probe_area_cm2: Decimal | None
    kpa: Decimal | None
    text: str


@dataclass(frozen=True)
class PressureDifference:
    """Left minus right pressure pain threshold at one ACR site pair."""

    pair: int
    left_code: str
    right_code: str
    left_kpa: Decimal | None
    right_kpa: Decimal | None
    difference_kpa: Decimal | None
    # The difference in the readings' own unit, when both sides share one.
    unit: PressureUnit | None
    difference: Decimal | None
    text: str


def _plain(value: Decimal) -> Decimal:
    """Return value without trailing zeros or an exponent: 300, not 3.0E+2; 1.5, not 1.50."""
    with localcontext(_CONTEXT):
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value.normalize()


def pressure_in_kpa(reading: PressureReading) -> Decimal | None:
    """Return the reading in kPa, or None for newtons without a probe area."""
    with localcontext(_CONTEXT):
        if reading.unit is PressureUnit.KPA:
            return _plain(reading.value)
        if reading.unit is PressureUnit.KGF_PER_CM2:
            return _plain(reading.value * KPA_PER_KGF_PER_CM2)
        area = reading.probe_area_cm2
        if area is None or area <= 0:
            return None
        return _plain(reading.value / area * KPA_PER_N_PER_CM2)


def kpa_to_kgf_per_cm2(kpa: Decimal) -> Decimal:
    """Return a pressure in kPa as kgf/cm², to the context's 28 significant digits."""
    with localcontext(_CONTEXT):
        return _plain(kpa / KPA_PER_KGF_PER_CM2)


def _shown(value: Decimal, places: str = "0.1") -> str:
    """Return a value rounded for reading; the stored value stays exact."""
    return str(value.quantize(Decimal(places), ROUND_HALF_UP))


def _signed(text: str) -> str:
    """A difference as printed: a true minus sign for a negative value."""
    return MINUS + text[1:] if text.startswith("-") else text


def _reading_text(code: str, reading: PressureReading, kpa: Decimal | None) -> str:
    """Return a reading and its kPa value in words."""
    recorded = f"{_plain(reading.value)} {reading.unit.label}"
    if reading.probe_area_cm2 is not None:
        recorded += f" on {_plain(reading.probe_area_cm2)} cm²"
    if kpa is None:
        return f"{code}: {recorded} (no probe area: cannot be converted to kPa)"
    if reading.unit is PressureUnit.KPA:
        return f"{code}: {recorded}"
    return f"{code}: {recorded} = {_shown(kpa)} kPa"


def _site_order(tender_points: Mapping[str, TenderPointInput]) -> list[str]:
    """Return the ACR sites in catalogue order, then any other sites (controls) by code."""
    others = sorted(code for code in tender_points if code not in ACR_SITE_CODES)
    return [*(code for code in ACR_SITE_CODES if code in tender_points), *others]


def _reading(point: TenderPointInput | None) -> PressureReading | None:
    """Return a site's reading; a site not examined has none by definition."""
    if point is None or not point.examined:
        return None
    return point.ppt


def pressure_thresholds(
    tender_points: Mapping[str, TenderPointInput],
) -> tuple[PressureThreshold, ...]:
    """Return every recorded reading, in site order, with its value in kPa."""
    thresholds = []
    for code in _site_order(tender_points):
        reading = _reading(tender_points[code])
        if reading is None:
            continue
        kpa = pressure_in_kpa(reading)
        thresholds.append(
            PressureThreshold(
                code,
                reading.value,
                reading.unit,
                reading.probe_area_cm2,
                kpa,
                _reading_text(code, reading, kpa),
            )
        )
    return tuple(thresholds)


def _difference(
    pair: int, left_code: str, right_code: str, left: PressureReading, right: PressureReading
) -> PressureDifference:
    """Return left minus right for one pair of readings."""
    left_kpa, right_kpa = pressure_in_kpa(left), pressure_in_kpa(right)
    unit = left.unit if left.unit is right.unit else None
    name = SITE_BY_CODE[left_code].name
    with localcontext(_CONTEXT):
        in_unit = _plain(left.value - right.value) if unit is not None else None
        if left_kpa is None or right_kpa is None:
            in_kpa = None
            if unit is not None:
                text = (
                    f"{name}: left {MINUS} right {_signed(str(in_unit))} {unit.label} "
                    "(not in kPa: probe area not recorded)"
                )
            else:
                text = f"{name}: left {MINUS} right cannot be given (probe area not recorded)"
        else:
            in_kpa = _plain(left_kpa - right_kpa)
            text = (
                f"{name}: left {_shown(left_kpa)} kPa, right {_shown(right_kpa)} kPa, "
                f"left {MINUS} right {_signed(_shown(in_kpa))} kPa"
            )
            if unit is not None and unit is not PressureUnit.KPA:
                text += f" ({_signed(str(in_unit))} {unit.label})"
    return PressureDifference(
        pair, left_code, right_code, left_kpa, right_kpa, in_kpa, unit, in_unit, text
    )


def pressure_differences(
    tender_points: Mapping[str, TenderPointInput],
) -> tuple[PressureDifference, ...]:
    """Return left minus right for every ACR pair where both sides have a reading."""
    differences = []
    for pair, left_code, right_code in ACR_SITE_PAIRS:
        left = _reading(tender_points.get(left_code))
        right = _reading(tender_points.get(right_code))
        if left is not None and right is not None:
            differences.append(_difference(pair, left_code, right_code, left, right))
    return tuple(differences)
