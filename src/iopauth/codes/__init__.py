"""Code sets: ICD-10-CM diagnoses (validated against a lazily read index) and service and
revenue codes as data.

This module only re-exports. Importing it reads no data file and does not import
``simple_icd_10_cm``: the ICD-10-CM index loads on the first lookup, the service table on the
first service-code call.
"""

from __future__ import annotations

from .icd10 import (
    FORMAT_RULE,
    ICD10CM_FIRST_DAY,
    ICD10CM_LAST_DAY,
    ICD10CM_VERSION,
    DiagnosisCategory,
    IcdCode,
    check_icd10,
    diagnosis_category,
    index_size,
    lookup_icd10,
    normalize_icd10,
)
from .services import (
    REVENUE_FORMAT_RULE,
    SERVICE_FORMAT_RULE,
    Focus,
    RevenueCode,
    ServiceCode,
    ServiceSystem,
    default_service_code,
    revenue_code,
    revenue_code_format_error,
    revenue_codes,
    service_code,
    service_code_format_error,
    service_codes,
)

__all__ = [
    "FORMAT_RULE",
    "ICD10CM_FIRST_DAY",
    "ICD10CM_LAST_DAY",
    "ICD10CM_VERSION",
    "REVENUE_FORMAT_RULE",
    "SERVICE_FORMAT_RULE",
    "DiagnosisCategory",
    "Focus",
    "IcdCode",
    "RevenueCode",
    "ServiceCode",
    "ServiceSystem",
    "check_icd10",
    "default_service_code",
    "diagnosis_category",
    "index_size",
    "lookup_icd10",
    "normalize_icd10",
    "revenue_code",
    "revenue_code_format_error",
    "revenue_codes",
    "service_code",
    "service_code_format_error",
    "service_codes",
]
