-- Union of the person rows of every staging table present in the run, in the shape the
-- linker reads. A Jinja template: pipelines/er/records.py renders one import CTE per
-- present stg_<kind> table and fills a column it lacks with a typed NULL.
with
{% for source in sources %}
{{ source.kind }}_rows as (
    select
        {% for column in source.columns -%}
        {{ column.expression }} as {{ column.name }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ source.table }}
),
{% endfor %}
unioned as (
    {% for source in sources -%}
    select * from {{ source.kind }}_rows
    {{ "union all by name" if not loop.last }}
    {% endfor %}
),
final as (
    select
        record_id,
        source_kind,
        nik,
        nik_status,
        no_kk,
        name,
        name_raw,
        birth_date,
        is_birth_date_default,
        sex,
        desa_code,
        kecamatan_code,
        rt,
        rw,
        source_file,
        source_sheet,
        source_row
    from unioned
)
select * from final
