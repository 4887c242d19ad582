{#- A stable text key from natural-key columns: the same input always gives the same id. -#}
{% macro stable_id(columns) -%}
    substr(md5(concat_ws('|', {% for c in columns %}coalesce(cast({{ c }} as string), ''){% if not loop.last %}, {% endif %}{% endfor %})), 1, 16)
{%- endmacro %}
