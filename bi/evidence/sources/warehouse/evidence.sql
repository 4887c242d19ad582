-- fct_fact_evidence: every fact and article that states it, with the verbatim quote.
select evidence_id, fact_id, fact_kind, source_id, evidence_quote, evidence_start, evidence_end
from fct_fact_evidence
