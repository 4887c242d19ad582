select firm_id, firm_name, hq_country, sector
from dim_firm
