"""The sums that move with a transfer. The arithmetic lives with the ledger of rights in
``insured.rights`` (the registry owns the rights); this module keeps the names transfers use."""

from insured.rights import (  # noqa: F401
    ACCOUNT_UNIFICATION_YEAR,
    CENT,
    ORDINARY,
    POOLED_RATE,
    TEMPORARY,
    ZERO,
    Carried,
    MedicalAmounts,
    Period,
    Rights,
    YearRecord,
    medical_amounts,
    medical_rights,
    money,
    months_paid,
    overlapping_months,
    pension_amounts,
    pension_rights,
    wages_since_1998,
)
