select place_id, place_name, place_type, city_id, province_id, region_name
from dim_place
