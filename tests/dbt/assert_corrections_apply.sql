-- An applied correction must still hold: the place has the corrected type.
select corrections.correction_id, places.place_type, corrections.corrected_value
from {{ ref('dq_corrections') }} as corrections
left join {{ ref('dim_place') }} as places on corrections.place_id = places.place_id
where corrections.status = 'applied'
  and corrections.field_name = 'place_type'
  and (places.place_type is null or places.place_type != corrections.corrected_value)
