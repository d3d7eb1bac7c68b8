"""The JSON of ``GET /api/v1/me/`` built by plain functions: the same dict, key for key and
byte for byte once rendered, as ``insured.serializers.MeSerializer`` gives.

Why: the serializer walks about a thousand fields per request (``get_attribute`` and
``is_simple_callable`` for each one, a nested serializer per period), two thirds of the CPU of
the request. ``MeSerializer`` stays the documented schema (``extend_schema`` and
``/api/schema/``); a change to it must be made here too, and
``tests/insured/test_me_representation.py`` compares the two on varied records, in Chinese and
in English. Leaf values are formatted by DRF's own fields (``core.representation``)."""

from core.representation import date_string, decimal_string, display, month_string, text
from insured.retirement import BASIS, UNKNOWN_CATEGORY
from insured.selectors import EnrollmentRecord, PersonRecords, YearRow


def me_representation(records: PersonRecords) -> dict:
    """``MeSerializer(records).data`` for the records of ``insured.selectors.person_records``."""
    person = records.person
    return {
        "name": text(person.name),
        "id_number_masked": text(person.id_number_masked),
        "enrollments": [_enrollment(record) for record in records.enrollments],
        "total_months": {
            str(code): None if months is None else int(months)
            for code, months in records.total_months.items()
        },
        "totals": [_total(row) for row in records.totals],
        "benefit_place": _benefit_place(records.benefit_place),
        "retirement": _retirement(records.retirement),
        "retirement_note": None if records.retirement else str(UNKNOWN_CATEGORY),
    }


def _enrollment(record: EnrollmentRecord) -> dict:
    enrollment = record.enrollment
    return {
        "id": enrollment.id,
        "insurance": text(enrollment.insurance),
        "insurance_display": display(enrollment, "insurance"),
        "region": text(enrollment.region_id),
        "region_name": enrollment.region.full_name(),
        "agency": text(enrollment.agency.name),
        "agency_id": enrollment.agency_id,
        "account_kind": text(enrollment.account_kind),
        "start": month_string(enrollment.start_month),
        "end": month_string(enrollment.end_month),
        "status": text(enrollment.status),
        "status_display": display(enrollment, "status"),
        "drawing_benefits": bool(enrollment.drawing_benefits),
        "months": record.months,
        "months_paid_here": record.months_paid_here,
        "deemed_months": enrollment.deemed_months,
        "personal_account_balance": decimal_string(record.balance, 14, 2),
        "years": [_year(row) for row in record.years],
        "transferred_in": [_transferred_in(m) for m in record.transferred_in],
        "transferred_out": [_transferred_out(m) for m in record.transferred_out],
        "in_transit": [
            {**_transferred_out(m), "case_url": f"/api/v1/transfers/{m.reference}/"}
            for m in record.in_transit
        ],
        "resident": _resident(record.resident),
        "refunds": [_refund(refund) for refund in record.refunds],
    }


def _year(row: YearRow) -> dict:
    year = row.year
    return {
        "year": year.year,
        "months": year.months_paid,
        "first_month": year.first_month,
        "last_month": year.last_month,
        "monthly_base": decimal_string(year.monthly_base, 12, 2),
        "personal_account_credit": decimal_string(year.personal_account_credit, 12, 2),
        "employer_rate": decimal_string(row.employer_rate, 5, 4),
        "personal_rate": decimal_string(row.personal_rate, 5, 4),
        "interest": decimal_string(year.interest, 12, 2),
        # ChoiceField gives the stored value back (it is one of the choices).
        "contributor_type": year.contributor_type,
        "contributor_type_display": display(year, "contributor_type"),
        "balance": decimal_string(row.balance, 14, 2),
    }


def _transferred_in(movement) -> dict:
    return {
        "serial_no": text(movement.reference),
        "from_region": text(movement.from_region_id),
        "from_region_name": movement.from_region.full_name(),
        "transfer_date": date_string(movement.transfer_date),
        "months": movement.months,
        "personal_account": decimal_string(movement.personal_account, 14, 2),
        "pooled_fund": decimal_string(movement.pooled_fund, 14, 2),
    }


def _transferred_out(movement) -> dict:
    to_enrollment = movement.to_enrollment
    return {
        "serial_no": text(movement.reference),
        "to_region": text(to_enrollment.region_id),
        "to_region_name": to_enrollment.region.full_name(),
        "transfer_date": date_string(movement.transfer_date),
        "months": movement.months,
        "personal_account": decimal_string(movement.personal_account, 14, 2),
        "pooled_fund": decimal_string(movement.pooled_fund, 14, 2),
    }


def _resident(resident: dict | None) -> dict | None:
    if resident is None:
        return None
    return {
        "years": [
            {
                "year": payment.year,
                "first_month": payment.first_month,
                "last_month": payment.last_month,
                "months": payment.months,
                "grade": decimal_string(payment.grade, 10, 2),
                "personal_contribution": decimal_string(payment.personal_contribution, 10, 2),
                "government_subsidy": decimal_string(payment.government_subsidy, 10, 2),
                "collective_subsidy": decimal_string(payment.collective_subsidy, 10, 2),
                "total": decimal_string(payment.total, 12, 2),
            }
            for payment in resident["years"]
        ],
        "account": decimal_string(resident["account"], 14, 2),
    }


def _refund(refund) -> dict:
    return {
        "serial_no": text(refund.reference),
        "amount": decimal_string(refund.amount, 12, 2),
        "months": refund.months,
        "first_month": month_string(refund.first_month),
        "last_month": month_string(refund.last_month),
    }


def _total(row: dict) -> dict:
    return {
        "insurance": text(row["insurance"]),
        "months": row["months"],
        "personal_account": decimal_string(row["personal_account"], 14, 2),
        "in_transit_months": row["in_transit_months"],
        "in_transit_personal_account": decimal_string(row["in_transit_personal_account"], 14, 2),
    }


def _benefit_place(place) -> dict | None:
    if place is None:
        return None
    return {
        "region": text(place.region_code),
        "name": text(place.region_name),
        "rule": place.rule,
        "explanation": text(place.explanation),
    }


def _retirement(age) -> dict | None:
    if age is None:
        return None
    return {
        "years": age.years,
        "months": age.months,
        "reached": month_string(age.reached),
        "minimum_contribution_months": age.minimum_contribution_months,
        "text": text(age.display),
        "basis": str(BASIS),
    }
