import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.registers import SURVEY_ITEMS
from schemas._customer import CustomerRef
from schemas._fields import NonNegative, Optional, Required


class SurveyReturns(CustomerRef):
    """客户满意度调查表 / survey returns: one row per survey sent (registers.md).

    The upper bound of the scores is `survey.scale_max` from the settings: `survey_schema(scale_max)`
    adds it, since a model's fields are fixed when the class is made.
    """
    round: Series[str] = Required(str_matches=r"^\d{4}(H[12]|Q[1-4])?$")
    respondent: Series[str] = Optional()
    sent_date: Series[pd.Timestamp] = Optional()
    returned_date: Series[pd.Timestamp] = Optional()       # blank = not returned
    quality: Series[float] = NonNegative()
    delivery: Series[float] = NonNegative()
    price: Series[float] = NonNegative()
    service: Series[float] = NonNegative()
    technical: Series[float] = NonNegative()
    communication: Series[float] = NonNegative()
    packaging: Series[float] = NonNegative()
    overall: Series[float] = NonNegative()
    comments: Series[str] = Optional()

    @pa.dataframe_check(ignore_na=False)
    def returned_row_has_a_score(cls, df: pd.DataFrame) -> pd.Series:
        """Rejected: a returned row with no score at all (no item and no overall)."""
        scores = df[[*SURVEY_ITEMS, "overall"]]
        return df["returned_date"].isna() | scores.notna().any(axis=1)


def survey_schema(scale_max: float) -> pa.DataFrameSchema:
    """The survey model with every score also ≤ scale_max (a score above it rejects the row)."""
    schema = SurveyReturns.to_schema()
    updates = {}
    for name in (*SURVEY_ITEMS, "overall"):
        column = schema.columns[name]
        updates[name] = {"checks": [*column.checks, pa.Check.le(scale_max)]}
    return schema.update_columns(updates)
