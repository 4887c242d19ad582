-- dim_source: the articles every fact comes from.
select source_id, title, title_basis, publisher, published_on, published_precision,
       published_basis, published_reason, url, sha256, char_count
from dim_source
