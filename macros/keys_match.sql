{#- Join condition: every key column equal, nulls equal to nulls (a fact with no firm, say). -#}
{% macro keys_match(left, right, keys) -%}
    {%- for key in keys -%}
        {% if not loop.first %} and {% endif %}{{ left }}.{{ key }} is not distinct from {{ right }}.{{ key }}
    {%- endfor -%}
{%- endmacro %}
