select city_id, city_name, city_name_zh, province_name, region_name,
       is_provincial_capital, is_municipality, latitude, longitude
from dim_city
