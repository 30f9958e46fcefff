"""Code system and extension URLs iopauth reads and writes, with where each comes from.

Standard systems first (their source beside them); then ``urn:iopauth:…`` systems for case
facts that have no standard code we could verify (a program's setting, a clinician's role on
the case, a level of care, a document kind). Those URNs are ours: another system ignores them,
and the importer falls back to plain text where it can.
"""

from __future__ import annotations

# HL7 naming systems (hl7.org/fhir/R4 identifier registry; US Core)
NPI = "http://hl7.org/fhir/sid/us-npi"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
BCP47 = "urn:ietf:bcp:47"
# PAS Organization.fsh: the TIN identifier pattern of the PAS Requestor
TIN = "http://terminology.hl7.org/NamingSystem/USEIN"
# CARIN/PAS examples also write the TIN under this OID (IRS); accepted on import
TIN_OID = "urn:oid:2.16.840.1.113883.4.4"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
SUBSCRIBER_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
DIAGNOSIS_TYPE = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
# Source of Payment Typology (HL7 THO: https://build.fhir.org/ig/HL7/UTG/ECS_MR-SOPT.html)
SOPT = "https://nahdo.org/sopt"
SOPT_OID = "urn:oid:2.16.840.1.113883.3.221.5"
# Source of Payment Typology code (or its leading digits) -> plan type, for Coverage.type.
# 111 "Medicare HMO" and 112 "Medicare PPO" appear in HL7 C-CDA examples [verified]
# (https://hl7.org/cda/us/ccda/5.0.0/Binary-planned-coverage-example.html). The top-level
# groups (1 Medicare, 2 Medicaid, 3 other government, 5 private, 6 Blue Cross/Blue Shield) are
# [unverified]: our reading of the typology, not checked against the published code list.
SOPT_PLAN_TYPES = {
    "111": "medicare-advantage",
    "112": "medicare-advantage",
    "11": "medicare-advantage",
    "1": "medicare",
    "2": "medicaid",
    "3": "other",
    "5": "commercial",
    "6": "commercial",
}
C4BB_IDENTIFIER = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType"
# Service codes as the PAS IG writes them: its X12278RequestedServiceType value set
# (Terminology.fsh:165-166) and every example (Examples.fsh) use http:// for HCPCS. Some other
# guides write https://; readers accept both (HCPCS_SYSTEMS).
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
HCPCS_HTTPS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
HCPCS_SYSTEMS = (HCPCS, HCPCS_HTTPS)
CPT = "http://www.ama-assn.org/go/cpt"
# NUBC revenue codes: the URL CARIN Blue Button and Da Vinci PCT use, and the one older PAS
# terminology used (accepted on import)
REVENUE = "https://www.nubc.org/CodeSystem/RevenueCodes"
REVENUE_OLD = "https://www.nubc.org/revenue-code"

# Da Vinci PAS (interop.md §2-3; davinci-pas Claim.fsh, ClaimResponse.fsh)
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
# PASTempCodes (Terminology.fsh:13-65): supportingInfo categories, diagnosis types, change modes
PAS_CODES = "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASTempCodes"
PAS_REQUEST_BUNDLE = PAS + "profile-pas-request-bundle"
PAS_INQUIRY_BUNDLE = PAS + "profile-pas-inquiry-request-bundle"
PAS_CLAIM = PAS + "profile-claim"
PAS_CLAIM_UPDATE = PAS + "profile-claim-update"
PAS_CLAIM_INQUIRY = PAS + "profile-claim-inquiry"
# Claim.extension[encounter] (Claim.fsh:180): the R5 cross-version extension
CLAIM_ENCOUNTER = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Claim.encounter"
# X12 code systems, https://codesystem.x12.org/005010/<data element>, as the IG's examples write
# them (pas-profiles.json "x12_value_sets"). X12 licenses the code lists themselves.
X12 = "https://codesystem.x12.org/005010/"
X12_CERTIFICATION_TYPE = X12 + "1322"  # UM02
X12_REVIEW_ACTION = X12 + "306"  # HCR01
X12_SERVICE_TYPE = X12 + "1365"  # UM03
X12_REQUEST_TYPE = X12 + "1525"  # UM01
X12_LEVEL_OF_SERVICE = X12 + "1338"  # UM06
X12_ENTITY = X12 + "98"  # NM101
X12_RELATIONSHIP = X12 + "1069"  # INS02
X12_QUANTITY_QUALIFIER = X12 + "673"  # HSD01
X12_REPORT_TYPE = X12 + "755"  # PWK01
X12_TRANSMISSION = X12 + "756"  # PWK02
X12_PROVIDER_CODE = X12 + "127"  # PRV03 (qualification)
# CMS Place of Service code set, as the IG's examples write it (Examples.fsh, item.location)
PLACE_OF_SERVICE = (
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
)
US_CORE_DOCUMENT_CATEGORY = (
    "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
)
RELATED_CLAIM = "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship"

# iopauth's own systems for case facts without a verified standard code
SETTING = "urn:iopauth:setting"
CLINICIAN_ROLE = "urn:iopauth:clinician-role"
LEVEL_OF_CARE = "urn:iopauth:level-of-care"
EPISODE_OUTCOME = "urn:iopauth:episode-outcome"
DOCUMENT_KIND = "urn:iopauth:document-kind"
PLAN_TYPE = "urn:iopauth:plan-type"
CASE_ID = "urn:iopauth:case-id"
MEMBER_ID = "urn:iopauth:member-id"
# the payer id a clearinghouse routes by: PAS makes every Organization identifier a
# PASIdentifier with a system (Organization.fsh:44, Identifier.fsh:7), and no domain file names
# a standard system for payer ids, so ours stands there
PAYER_ID = "urn:iopauth:payer-id"
