"""Pandera models, one per register (the frame staging hands on), plus the long KPI table.

Staging parses every cell into its type; these models then hold the typed frame to the value rules
of registers.md (required values, ranges, vocabularies, cross-column rules) with lazy validation,
so that EVERY failure of every row comes back at once and is reported by file, sheet and Excel row.
"""
from schemas.complaints import Complaints
from schemas.customer_audits import CustomerAudits
from schemas.customer_property import CustomerProperty
from schemas.customer_scorecards import CustomerScorecards
from schemas.customers import Customers
from schemas.deliveries import Deliveries
from schemas.feedback import Feedback
from schemas.incidents import Incidents
from schemas.service import Service
from schemas.survey_returns import SurveyReturns
from schemas.visits import Visits

SCHEMAS = {
    "customers": Customers,
    "deliveries": Deliveries,
    "complaints": Complaints,
    "incidents": Incidents,
    "customer_scorecards": CustomerScorecards,
    "survey_returns": SurveyReturns,
    "feedback": Feedback,
    "visits": Visits,
    "service": Service,
    "customer_property": CustomerProperty,
    "customer_audits": CustomerAudits,
}

# A dataframe-level check's name → the canonical column the report names for it.
CHECK_COLUMNS = {
    "customer_given": "customer_name",
    "delivered_within_a_year_of_due": "delivered_date",
    "response_not_before_received": "first_response_at",
    "report_8d_not_before_received": "report_8d_at",
    "closure_not_before_received": "closed_date",
    "returned_row_has_a_score": "returned_date",
    "event_date_when_lost_or_damaged": "event_date",
}
