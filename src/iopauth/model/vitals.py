"""Dated vital signs, body weight and laboratory values behind a medical-stability statement.

They let the criteria judge "medically stable" on the numbers the eating-disorder thresholds
name (domain/clinical-thresholds.md §2) instead of on a tick box alone. Units are fixed per
field (°F for temperature, as the domain file stores it); every value is optional.
"""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from ._base import Redacted, StrEnum, enum_member


class TimeOfDay(StrEnum):
    """When a heart rate was taken: SAHM 2022 gives separate day and night thresholds."""

    DAY = "day"
    NIGHT = "night"


def _time_of_day(value: TimeOfDay | str | None) -> TimeOfDay | None:
    if value is None or type(value) is TimeOfDay:
        return value
    return enum_member(TimeOfDay, value)


@frozen(kw_only=True, repr=False)
class Vitals(Redacted):
    """One set of vital signs and body measures taken on ``on``.

    ``time_of_day``: ``"day"`` or ``"night"`` (absent: read as daytime). Heart rate and
    orthostatic pulse rise in beats per minute; blood pressure and orthostatic falls in mm Hg;
    ``temperature_f`` in degrees Fahrenheit; ``percent_median_bmi``: weight as a percentage of
    the median BMI for age and sex (the adolescent measure).
    """

    on: date
    time_of_day: TimeOfDay | None = field(default=None, converter=_time_of_day)
    heart_rate_bpm: int | None = None
    systolic_mm_hg: int | None = None
    diastolic_mm_hg: int | None = None
    orthostatic_pulse_rise_bpm: int | None = None
    orthostatic_systolic_fall_mm_hg: int | None = None
    orthostatic_diastolic_fall_mm_hg: int | None = None
    temperature_f: float | None = None
    bmi: float | None = None
    percent_median_bmi: float | None = None


class LabTest(StrEnum):
    """Laboratory values the eating-disorder thresholds name (clinical-thresholds.md §2)."""

    POTASSIUM = "potassium"
    SODIUM = "sodium"
    PHOSPHATE = "phosphate"
    CHLORIDE = "chloride"
    GLUCOSE = "glucose"


def _lab_test(value: LabTest | str) -> LabTest:
    return value if type(value) is LabTest else enum_member(LabTest, value)


@frozen(kw_only=True, repr=False)
class LabResult(Redacted):
    """One laboratory value: ``test``, ``value`` in ``unit`` (as reported), taken on ``on``.

    ``test``: ``"potassium"``, ``"sodium"``, ``"phosphate"``, ``"chloride"`` or ``"glucose"``.

    Potassium, sodium and chloride in mEq/L (= mmol/L); phosphate and glucose in mg/dL.
    """

    on: date
    test: LabTest = field(converter=_lab_test)
    value: float
    unit: str


@frozen(kw_only=True, repr=False)
class WithdrawalHistory(Redacted):
    """What weighs on withdrawal risk besides the current score (clinical-thresholds.md §3).

    ``pawss``: the Prediction of Alcohol Withdrawal Severity Scale score (4 or more is high
    risk, BCCSU); ``seizure_or_dt_history``: a withdrawal seizure or delirium tremens before;
    ``last_use``: the date of last use; ``management_plan``: the ambulatory
    withdrawal-management plan, in words.
    """

    pawss: int | None = None
    seizure_or_dt_history: bool | None = None
    last_use: date | None = None
    management_plan: str | None = None
