"""Medical status and withdrawal risk in letters: the recorded values, and rows that agree.

The reviewer's cases (tests/data/review-cases) are the ones that showed a letter contradicting
its own findings: an anorexia case with values past the thresholds whose letter called the
patient medically stable, a minor whose guardian-consent row quoted the patient's own consent,
and a severe CIWA-Ar whose withdrawal row left out the PAWSS.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import pytest

from iopauth import evaluate
from iopauth.caseformat.serialize import load_case
from iopauth.model import Case
from iopauth.rendering import render_html
from iopauth.rendering.medical import medical_sentences, withdrawal_sentences

REVIEW = Path(__file__).resolve().parent / "data" / "review-cases"


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@cache
def _case(name: str) -> Case:
    return load_case(REVIEW / f"{name}.json")


@cache
def _letter(name: str, document: str = "request-letter") -> str:
    return render_html(_case(name), document=document)


def _rows(page: str) -> dict[str, tuple[str, str]]:
    """The criteria table's rows: title -> (result, what the record shows)."""
    table = page.split('<table class="criteria">', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
        cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
        rows[_text(cells[0])] = (_text(cells[1]), _text(cells[2]))
    return rows


def _section(page: str, heading: str) -> str:
    """The text from ``heading`` to the next heading."""
    after = page.split(f">{heading}</h3>", 1)[1]
    return _text(re.split(r"<h[23]", after, maxsplit=1)[0])


def test_an_unstable_rows_state_the_values_never_medically_stable() -> None:
    page = _letter("6-an-unstable")
    rows = _rows(page)
    result, shown = rows["Medically unstable"]
    assert result == "Present"
    assert "medically stable" not in shown
    assert "blood pressure 94/58 mm Hg" in shown
    assert "potassium 2.8 mEq/L" in shown
    assert "June 5, 2026" in shown
    assert "past the adult eating-disorder thresholds" in shown
    result, shown = rows["Medical values recorded"]
    assert result == "Met"
    assert "heart rate 44 bpm" in shown
    assert "thresholds" not in shown  # the row on recorded values quotes the values
    assert "medically stable" not in shown


def test_an_unstable_medical_sections_print_dated_values() -> None:
    page = _letter("6-an-unstable")
    status = _section(page, "Medical status")
    assert "Vital signs on June 5, 2026: heart rate 44 bpm, blood pressure 94/58 mm Hg" in status
    assert "Laboratory values on June 5, 2026: potassium 2.8 mEq/L" in status
    assert "medically stable" not in status
    assert "medically stable" not in _section(page, "Why a more intensive level is not needed")
    assert "The patient is medically stable" not in _text(page)


def test_the_same_case_judged_by_ed_iop_agrees() -> None:
    case = _case("6-an-unstable")
    determination = evaluate(case, criteria="ed-iop")
    page = render_html(case, document="request-letter", determination=determination)
    assert "medically stable" not in _rows(page)["Medical values recorded"][1]


def test_stability_stated_when_no_value_is_past_a_threshold() -> None:
    # a depression case with no values: the clinician's statement is quoted, with its date
    sentences = medical_sentences(_case("3-adol-noconsent"))
    assert sentences == ["The patient is medically stable."]
    dated = medical_sentences(_case("2-sud-ciwa21"))
    assert dated == ["Medical assessment of June 5, 2026: the patient is medically stable."]
    page = _letter("3-adol-noconsent")
    assert "The patient is medically stable." in _section(
        page, "Why a more intensive level is not needed"
    )


def test_guardian_row_states_the_guardians_consent_not_the_patients() -> None:
    consent = "Consent to treatment (a guardian's for a minor)"
    result, shown = _rows(_letter("3-adol-noconsent"))[consent]
    assert result == "Not met"
    assert "signed consent to treatment." not in shown.replace("has not signed", "")
    assert shown == (
        "The patient is 15, and the parent or guardian has not signed consent to treatment."
    )
    # an adult: the row says why no guardian is needed
    adult = _rows(_letter("6-an-unstable"))[consent][1]
    assert adult == "The patient is 22, an adult, and consents on their own behalf."


def test_withdrawal_row_quotes_the_pawss_with_its_date_and_risk_facts() -> None:
    page = _letter("2-sud-ciwa21")
    result, shown = _rows(page)["Withdrawal management first"]
    assert result == "Present"
    assert "PAWSS 5" in shown
    assert "Medical assessment of June 5, 2026" in shown
    assert "no withdrawal seizure or delirium tremens before" in shown
    assert "last use on June 4, 2026" in shown
    assert "PAWSS 5" in _section(page, "Medical status")
    # the row on the recorded risk level quotes that level only
    assert "PAWSS" not in _rows(page)["Withdrawal needs monitoring"][1]


def test_withdrawal_sentences_quote_a_recorded_asam_dimension_1() -> None:
    from .casebuilder import asam, build_case

    rating = asam("2.1")
    case = build_case({"level_of_care_ratings": (rating,)})
    sentences = withdrawal_sentences(case)
    assert any("Dimension 1 (intoxication and withdrawal potential) rated" in s for s in sentences)


@pytest.mark.parametrize("name", sorted(p.stem for p in REVIEW.glob("*.json")))
def test_no_row_calls_a_patient_stable_when_a_value_is_past_a_threshold(name: str) -> None:
    case = _case(name)
    page = _letter(name)
    unstable = any(
        e.fact == "medical.ed_unstable" and e.value is True
        for f in evaluate(case).findings
        for e in f.evidence
    )
    assert not unstable or "medically stable" not in _text(page)


def test_values_and_thresholds_use_one_word_for_orthostatic_changes() -> None:
    """The values sentence names an orthostatic change as the threshold sentence does
    ("orthostatic pulse rise"), so a reader matches the two."""
    from datetime import date

    import attrs

    from iopauth.model import Vitals
    from iopauth.rendering.medical import values_sentences

    from .casebuilder import build_case

    case = build_case()
    assert case.medical is not None
    vitals = Vitals(on=date(2026, 3, 2), orthostatic_pulse_rise_bpm=35)
    case = attrs.evolve(case, medical=attrs.evolve(case.medical, vitals=(vitals,)))
    assert values_sentences(case) == [
        "Vital signs on March 2, 2026: orthostatic pulse rise 35 bpm."
    ]
