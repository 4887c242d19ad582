select presence_id, fact_id, firm_id, place_id, city_id, province_id, presence_type, status,
       year, investment_cny, investment_usd, usd_stated, investment_value_type, source_id,
       evidence_quote, evidence_start, evidence_end
from fct_firm_presence
