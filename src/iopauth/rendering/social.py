"""The support and living situation in a clinician's sentences, from the recorded answers.

"The patient lives in stable housing.", never "Housing: stable housing." nor a form's "yes".
"""

from __future__ import annotations

from ..model import Case, Housing


def psychosocial_sentences(case: Case) -> list[str]:
    ps = case.psychosocial
    if ps is None:
        return []
    out = []
    if ps.support_system is not None:
        out.append(
            "Family or community support is in place."
            if ps.support_system
            else "No support system is in place."
        )
    if ps.safe_environment is not None:
        out.append(
            "The patient has a safe place to live between sessions."
            if ps.safe_environment
            else "The living environment is not safe between sessions."
        )
    if ps.housing is not None:
        out.append(housing_sentence(ps.housing))
    return out


_HOUSING = {
    Housing.STABLE: "The patient lives in stable housing.",
    Housing.UNSTABLE: "The patient's housing is unstable.",
    Housing.HOMELESS: "The patient is homeless.",
    Housing.SUPERVISED: "The patient lives in supervised housing.",
}


def housing_sentence(housing: Housing) -> str:
    """``The patient lives in stable housing.``"""
    return _HOUSING[housing]


def living_sentences(case: Case) -> list[str]:
    """The support and living situation as a clinician writes it, from the recorded answers."""
    ps = case.psychosocial
    if ps is None:
        return []
    out = []
    if ps.housing is not None:
        out.append(housing_sentence(ps.housing))
    if ps.safe_environment is not None:
        out.append(
            "The home is a safe place to live between sessions."
            if ps.safe_environment
            else "The home is not a safe place to live between sessions."
        )
    if ps.support_system is not None:
        out.append(
            "Family or community support is in place."
            if ps.support_system
            else "No support system is in place."
        )
    if ps.family_involved is not None:
        out.append(
            "The family takes part in treatment."
            if ps.family_involved
            else "The family does not take part in treatment."
        )
    if ps.transportation is not None:
        out.append(
            "The patient has transportation to the program."
            if ps.transportation
            else "The patient has no transportation to the program."
        )
    return out
